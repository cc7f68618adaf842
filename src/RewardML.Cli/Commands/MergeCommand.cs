using System.ComponentModel;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
using RewardML.Sharding;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml merge</c>: joins the shard outputs of <c>label</c>, <c>rollouts</c> or <c>score</c> run with
/// <c>--shard I/N</c> into one file in input order, checked against the input (no row missing, none twice, none in the
/// wrong shard); on failure it names the shard(s) to rerun and exits 2.
/// </summary>
internal sealed class MergeCommand : Command<MergeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[SHARD_FILES]"), Description("The shard outputs, NAME.shard-I-of-N.EXT for every I in 0..N-1 (default: those beside --out, found by its name).")]
        public string[] ShardFiles { get; init; } = [];

        [CommandOption("--out <PATH>"), Description("The merged file (the --out/--output the shards were run with). Required.")]
        public string Out { get; init; } = "";

        [CommandOption("--input <FILE>"), Description("score: the --input the shards scored; every row is taken from its shard, scored or in its errors file (merged to OUT.errors.csv). Required to merge score shards; default none.")]
        public string? Input { get; init; }

        [CommandOption("--problems <PATH>"), Description("label and rollouts: the --problems the shards were run with. Required for those; default none.")]
        public string? Problems { get; init; }

        [CommandOption("--candidates <PATH>"), Description("label: the --candidates the shards labelled; rows come out in their order. Default none (then --reference-solutions).")]
        public string? Candidates { get; init; }

        [CommandOption("--reference-solutions <N>"), Description("label: the --reference-solutions N the shards labelled. Default none (then --candidates).")]
        public int? ReferenceSolutions { get; init; }

        [CommandOption("--limit <N>"), Description("rollouts: the --limit the shards were run with (default: every problem).")]
        public int? Limit { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required.");
            bool label = Candidates is not null || ReferenceSolutions is not null;
            if (Input is not null && (label || Problems is not null))
                return ValidationResult.Error("Give --input (score) or --problems with --candidates/--reference-solutions (label) or --problems alone (rollouts), not both.");
            if (Input is null && Problems is null)
                return ValidationResult.Error("Say what the shards are checked against: --input (score), --problems with --candidates or --reference-solutions (label), or --problems (rollouts).");
            if (Candidates is not null && ReferenceSolutions is not null) return ValidationResult.Error("Give at most one of --candidates and --reference-solutions.");
            if (ReferenceSolutions is < 1) return ValidationResult.Error("--reference-solutions must be at least 1.");
            if (Limit is < 0) return ValidationResult.Error("--limit must be 0 or more.");
            if (CliPaths.OutputClashError([("--out", Out), ("--out", Scoring.ScoredFileWriter.DefaultErrorsPath(Out))], ShardFiles.Select(f => ("SHARD_FILES", (string?)f)).Concat([("--input", Input), ("--problems", Problems), ("--candidates", Candidates)])) is { } clash) return ValidationResult.Error(clash);
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var shards = Sharding.ShardFiles.Resolve(settings.ShardFiles, settings.Out);
            string what;
            if (settings.Input is { } input)
            {
                if (!File.Exists(input)) throw new FileNotFoundException($"Input file '{input}' does not exist.");
                var summary = ScoredShardMerger.Merge(input, shards, settings.Out);
                what = $"{summary.Scored} scored rows, {summary.Errors} errors (-> {summary.ErrorsPath})";
            }
            else
            {
                var issues = new List<ProblemIssue>();
                var problems = AppsProblemReader.Load(settings.Problems!, issues);
                var byId = new Dictionary<string, AppsProblem>();
                foreach (var p in problems) byId.TryAdd(p.ProblemId, p);
                if (settings.Candidates is not null || settings.ReferenceSolutions is not null)
                {
                    var candidates = settings.Candidates is { } path
                        ? CandidateReader.ReadJsonl(path, issues)
                        : CandidateReader.ReferenceSolutions(problems, settings.ReferenceSolutions!.Value);
                    var expected = new List<(string, string)>();
                    var seen = new HashSet<(string, string)>();
                    foreach (var c in candidates) // what label judges: known problems, each pair once
                        if (byId.ContainsKey(c.ProblemId) && seen.Add((c.ProblemId, c.CandidateId))) expected.Add((c.ProblemId, c.CandidateId));
                    long rows = JsonlShardMerger.MergeByKey(expected, "candidate_id", shards, settings.Out, "rewardml label … --shard {0}");
                    what = $"{rows} results";
                }
                else
                {
                    IEnumerable<string> ids = problems.Select(p => p.ProblemId).Distinct();
                    if (settings.Limit is int limit) ids = ids.Take(limit);
                    long rows = JsonlShardMerger.MergeByProblem(ids.ToList(), shards, settings.Out, "rewardml rollouts … --shard {0}");
                    what = $"{rows} rollouts";
                }
            }
            Console.WriteLine($"merge: {shards.Count} shards, {what} -> {settings.Out}");
            return 0;
        }
        catch (ShardMergeException e)
        {
            AnsiConsole.Profile.Out.Writer.Flush();
            Console.Error.WriteLine($"rewardml: {e.Message}");
            return 2;
        }
    }
}
