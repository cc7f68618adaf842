using System.ComponentModel;
using RewardML.Sandbox.Labelling;
using RewardML.Sharding;
using RewardML.Sandbox.Problems;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary><c>rewardml label</c>: runs candidate programs against APPS tests in the sandbox and writes results.jsonl (resumable).</summary>
internal sealed class LabelCommand : AsyncCommand<LabelCommand.Settings>
{
    public sealed class Settings : SandboxSettings
    {
        [CommandOption("--problems <PATH>"), Description("APPS problems: Hugging Face-style JSONL or the APPS folder layout (a folder of problem folders with input_output.json). Required.")]
        public string Problems { get; init; } = "";

        [CommandOption("--candidates <PATH>"), Description("candidates.jsonl: {\"problem_id\", \"candidate_id\", \"code\"} per line (other fields are carried through). No default: give this or --reference-solutions.")]
        public string? Candidates { get; init; }

        [CommandOption("--reference-solutions <N>"), Description("Label the first N reference solutions of every problem instead (candidate_id = index). No default: give this or --candidates.")]
        public int? ReferenceSolutions { get; init; }

        [CommandOption("--out <PATH>"), Description("results.jsonl; an existing file is resumed (pairs already there are skipped). Required.")]
        public string Out { get; init; } = "";

        [CommandOption("--shard <I/N>"), Description("Label only shard I of N (0-based): the candidates of the problems a stable hash of problem_id assigns to it; writes OUT.shard-I-of-N.jsonl (resumable). Join with rewardml merge (default: no sharding).")]
        public string? Shard { get; init; }

        [CommandOption("--details"), Description("Also write why each failed test failed (\"detail\").")]
        public bool Details { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Problems)) return ValidationResult.Error("--problems is required.");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required.");
            if ((Candidates is null) == (ReferenceSolutions is null))
                return ValidationResult.Error("Give exactly one of --candidates and --reference-solutions.");
            if (ReferenceSolutions is < 1) return ValidationResult.Error("--reference-solutions must be at least 1.");
            if (Shard is not null && ShardOption.TryParse(Shard) is { Error: { } shardError }) return ValidationResult.Error(shardError);
            if (CliPaths.OutputFileError("--out", Out) is { } outError) return ValidationResult.Error(outError);
            if (CliPaths.OutputClashError([("--out", Out), ("--out", Shard is null ? null : ShardOption.Parse(Shard)!.FileFor(Out))], [("--problems", Problems), ("--candidates", Candidates)]) is { } clash) return ValidationResult.Error(clash);
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var summary = new LabelSummary();
        var problems = CliPaths.LoadProblems(settings.Problems, summary.Issues);
        if (problems.Count == 0)
        {
            foreach (var issue in summary.Issues) Console.Error.WriteLine($"skipped: {issue}");
            throw new InvalidDataException($"--problems {settings.Problems}: no problem could be loaded ({summary.Issues.Count} skipped, listed above); nothing to label.");
        }
        var options = settings.ToSandboxOptions();
        using var judge = new SandboxJudge(options); // refuses without bubblewrap unless isolation is waived
        settings.WarnIfUnsafe();
        // Two interpreters import numpy for this check (seconds on a busy machine): it runs beside the labelling and
        // warns as soon as it finds a problem.
        var numpyCheck = Task.Run(() => SandboxSettings.WarnIfNumpyUnavailable(options), cancellationToken);

        var byId = new Dictionary<string, AppsProblem>();
        foreach (var p in problems)
            if (!byId.TryAdd(p.ProblemId, p)) summary.Issues.Add(new ProblemIssue(settings.Problems, null, $"problem {p.ProblemId} appears twice; the first is kept"));
        var candidates = (settings.Candidates is { } path
            ? CandidateReader.ReadJsonl(path, summary.Issues)
            : CandidateReader.ReferenceSolutions(problems, settings.ReferenceSolutions!.Value)).ToList();
        var shard = ShardOption.Parse(settings.Shard);
        string output = shard?.FileFor(settings.Out) ?? settings.Out;
        if (shard is not null) candidates = candidates.Where(c => shard.HoldsProblem(c.ProblemId)).ToList();

        using var journal = ResultsJournal.Open(output);
        foreach (var corrupt in journal.CorruptLines) Console.Error.WriteLine($"rewardml: warning: {corrupt}");
        var labeller = new Labeller(judge, options.Workers) { IncludeDetails = settings.Details };
        string description = "";
        int judgedNow = 0;
        try
        {
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    int todo = candidates.Count(c => !journal.IsDone(c.ProblemId, c.CandidateId));
                    var rate = new LabelRate(todo, TimeSpan.FromSeconds(10));
                    description = $"labelling {todo} programs";
                    var task = ctx.AddTask(description, maxValue: Math.Max(todo, 1));
                    bool interactive = AnsiConsole.Profile.Capabilities.Interactive;
                    await labeller.RunAsync(byId, candidates, journal, summary, (_, _) =>
                    {
                        Interlocked.Increment(ref judgedNow);
                        task.Increment(1);
                        string? line = rate.Judged();
                        task.Description = rate.Description; // programs/s, live
                        if (!interactive && line is not null) Console.WriteLine(line);
                    }, cancellationToken);
                    task.Value = task.MaxValue;
                });
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliStoppedException($"stopped after {judgedNow} programs judged in this run, all written to {output}: rerun the same command to continue (programs already there are skipped).", e);
        }
        CliProgress.Finished(description);
        await numpyCheck;

        foreach (var issue in summary.Issues)
            Console.Error.WriteLine($"skipped: {issue}");
        var table = new Table().AddColumns("", "value");
        table.AddRow("problems", $"{byId.Count} loaded");
        if (shard is not null) table.AddRow("shard", $"{shard}: {candidates.Count} candidates -> {Markup.Escape(output)}");
        table.AddRow("skipped (see stderr)", $"{summary.Issues.Count} problems or candidate lines");
        table.AddRow("programs judged", $"{summary.Judged} ({summary.AlreadyDone} already in {Markup.Escape(output)})");
        table.AddRow("strict pass", summary.Judged == 0 ? "-" : $"{summary.StrictPasses} ({100.0 * summary.StrictPasses / summary.Judged:F1}%)");
        table.AddRow("tests", summary.Tests.ToString());
        foreach (var (verdict, count) in summary.Verdicts.Where(v => v.Value > 0))
            table.AddRow($"  {VerdictName(verdict)}", count.ToString());
        double seconds = summary.Elapsed.TotalSeconds;
        table.AddRow("wall time", $"{seconds:F1} s ({(seconds > 0 ? summary.Judged / seconds : 0):F1} programs/s, {(seconds > 0 ? summary.Tests / seconds : 0):F1} tests/s, {options.Workers} workers)");
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>A verdict as results.jsonl and the docs spell it (<c>runtime_error</c>), not the enum's name.</summary>
    internal static string VerdictName(Verdict verdict) => System.Text.Json.JsonSerializer.Serialize(verdict).Trim('"');
}
