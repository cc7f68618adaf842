using System.ComponentModel;
using System.Text.Json;
using RewardML.Modeling;
using RewardML.Rollouts;
using RewardML.Rollouts.Guidance;
using RewardML.Runtime;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;
using RewardML.Sharding;
using RewardML.Tokenization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml rollouts</c>: branching rollouts (1 main, K branch points, M rollouts each) from an OpenAI-compatible
/// server (<c>--server</c>) or the in-process Phi model (<c>--checkpoint</c>), written to rollouts.jsonl; resumable.
/// Labels come from the sandbox (<c>--label</c>) or from <c>rewardml label</c>'s results (<c>--results</c>).
/// </summary>
internal sealed class RolloutsCommand : AsyncCommand<RolloutsCommand.Settings>
{
    public sealed class Settings : SandboxSettings
    {
        [CommandOption("--problems <PATH>"), Description("APPS problems: Hugging Face-style JSONL (codeparrot/apps rows) or the APPS folder layout; bad problems are reported and skipped. Required.")]
        public string Problems { get; init; } = "";

        [CommandOption("--out <PATH>"), Description("rollouts.jsonl to write; an existing file is resumed. Required.")]
        public string Out { get; init; } = "";

        [CommandOption("--server <URL>"), Description("OpenAI-compatible API base, e.g. http://127.0.0.1:8000/v1 (vLLM, llama.cpp server). No default: give --server or --checkpoint (or neither with --results when nothing needs sampling).")]
        public string? Server { get; init; }

        [CommandOption("--checkpoint <DIR>"), Description("Sample in-process from this Hugging Face Phi checkpoint folder instead of a server. No default: give --server or --checkpoint.")]
        public string? Checkpoint { get; init; }

        [CommandOption("--tokenizer <SPEC>"), Description("With --checkpoint: phi4, phi4-mini or folder:PATH (default: the checkpoint's tokenizer.json, else the built-in one matching its vocab_size).")]
        public string? Tokenizer { get; init; }

        [CommandOption("--device <DEVICE>"), Description("With --checkpoint: auto, cpu, cuda or cuda:N (default auto).")]
        public string Device { get; init; } = "auto";

        [CommandOption("--dtype <DTYPE>"), Description("With --checkpoint: float32 (default), bfloat16 or float16.")]
        public string DType { get; init; } = "float32";

        [CommandOption("--threads <N>"), Description("With --checkpoint: CPU threads (default: libtorch's).")]
        public int Threads { get; init; }

        [CommandOption("--model <NAME>"), Description("The served model's name. Required with --server (no default).")]
        public string? Model { get; init; }

        [CommandOption("--api-key-env <VAR>"), Description("Environment variable holding the server's API key, if it wants one (default: none, no key is sent).")]
        public string? ApiKeyEnv { get; init; }

        [CommandOption("--branch-points <K>"), Description("Branch points K per main rollout (default 6, as in the paper).")]
        public int BranchPoints { get; init; } = 6;

        [CommandOption("--rollouts-per-branch <M>"), Description("Rollouts M from each branch point (default 6, as in the paper).")]
        public int RolloutsPerBranch { get; init; } = 6;

        [CommandOption("--temperature <T>"), Description("Sampling temperature (default 1.0).")]
        public double Temperature { get; init; } = 1.0;

        [CommandOption("--top-p <P>"), Description("Nucleus sampling: sample from the smallest set of tokens whose probability reaches P; 1 keeps all (default 0.95).")]
        public double TopP { get; init; } = 0.95;

        [CommandOption("--max-tokens <N>"), Description("Token budget of the main rollout (a branch gets it less its prefix) (default 1024).")]
        public int MaxTokens { get; init; } = 1024;

        [CommandOption("--min-distance <N>"), Description("Minimum distance in tokens between branch points (default 4).")]
        public int MinDistance { get; init; } = 4;

        [CommandOption("--seed <N>"), Description("Seed of the sampler and of the branch choices: the same seed gives the same rollouts where the backend honours seeds (default 0).")]
        public int Seed { get; init; }

        [CommandOption("--stop <TEXT>"), Description("Stop string (repeatable); default: \\nQUESTION:, <|endoftext|>, <|end|>.")]
        public string[]? Stop { get; init; }

        [CommandOption("--parallel <N>"), Description("Requests in flight at once (default 4).")]
        public int Parallel { get; init; } = 4;

        [CommandOption("--timeout <SECONDS>"), Description("Time allowed for one request, in seconds (default 300).")]
        public double TimeoutSeconds { get; init; } = 300;

        [CommandOption("--retries <N>"), Description("Retries of a request after a transient failure (default 3).")]
        public int Retries { get; init; } = 3;

        [CommandOption("--limit <N>"), Description("Only the first N problems (default: all).")]
        public int? Limit { get; init; }

        [CommandOption("--results <PATH>"), Description("results.jsonl of `rewardml label --candidates <rollouts.jsonl>`: labels the rollouts, then prefix values and weights are computed (default: none).")]
        public string? Results { get; init; }

        [CommandOption("--label"), Description("Judge every rollout in the bubblewrap sandbox (as `rewardml label` does, with its --workers, --test-timeout, --program-timeout, --memory-mb, --comparison and --unsafe-no-isolation), then compute prefix values and weights.")]
        public bool Label { get; init; }

        [CommandOption("--shard <I/N>"), Description("Sample only shard I of N (0-based): the problems a stable hash of problem_id assigns to it (after --limit); writes OUT.shard-I-of-N.jsonl (and REPORT.shard-I-of-N.json), resumable. Join with rewardml merge (default: no sharding).")]
        public string? Shard { get; init; }

        [CommandOption("--report <PATH>"), Description("Write the run's report (counts, cold-start problems, failures) as JSON with snake_case keys (default: none).")]
        public string? Report { get; init; }

        [CommandOption("--guide <ZIP>"), Description("Generate under a reward model (a zip of rewardml train): step by step, each new step valued once, recorded in each rollout's \"guide\" field (default: none).")]
        public string? Guide { get; init; }

        [CommandOption("--stop-below <TAU>"), Description("With --guide: stop a rollout at the first step (not its last) valued below TAU, in [[0, 1]] (default: never stop).")]
        public double? StopBelow { get; init; }

        [CommandOption("--min-share <S>"), Description("With --stop-below: steps valued before S of the token budget is generated never stop a rollout, in [[0, 1]] (default 0).")]
        public double MinShare { get; init; }

        [CommandOption("--guide-chunk-tokens <N>"), Description("With --guide: tokens sampled per request between guide checks (default 16).")]
        public int GuideChunkTokens { get; init; } = GuidanceOptions.DefaultChunkTokens;

        [CommandOption("--search <KIND>"), Description("branching (the paper's rollouts) or beam (value-guided step-level beam search; needs --guide) (default branching).")]
        public string Search { get; init; } = "branching";

        [CommandOption("--beam-width <B>"), Description("With --search beam: prefixes kept at each step, and programs returned per problem (default 4).")]
        public int BeamWidth { get; init; } = 4;

        [CommandOption("--expand <M>"), Description("With --search beam: continuations sampled from each kept prefix (default 4).")]
        public int Expand { get; init; } = 4;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Problems)) return ValidationResult.Error("--problems is required");
            if (Search is not ("branching" or "beam")) return ValidationResult.Error($"--search '{Search}': use branching or beam");
            if (Search == "beam" && Guide is null) return ValidationResult.Error("--search beam needs --guide (the reward model that ranks the prefixes)");
            if (Guide is null && (StopBelow is not null || MinShare != 0)) return ValidationResult.Error("--stop-below and --min-share need --guide");
            if (StopBelow is { } tau && !(tau >= 0 && tau <= 1)) return ValidationResult.Error("--stop-below must be in [0, 1]");
            if (!(MinShare >= 0 && MinShare <= 1)) return ValidationResult.Error("--min-share must be in [0, 1]");
            if (GuideChunkTokens < 1 || BeamWidth < 1 || Expand < 1) return ValidationResult.Error("--guide-chunk-tokens, --beam-width and --expand must be at least 1");
            if (Guide is not null && !File.Exists(Guide)) return ValidationResult.Error($"--guide '{Guide}': no such model zip");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required");
            if (Shard is not null && ShardOption.TryParse(Shard) is { Error: { } shardError }) return ValidationResult.Error(shardError);
            bool server = !string.IsNullOrWhiteSpace(Server), checkpoint = !string.IsNullOrWhiteSpace(Checkpoint);
            if (server && checkpoint)
                return ValidationResult.Error("--server and --checkpoint are mutually exclusive: sample from a server or from an in-process checkpoint, not both");
            if (!server && !checkpoint && Results is null)
                return ValidationResult.Error("give --server (an OpenAI-compatible /v1 base URL) or --checkpoint (a Phi checkpoint folder); only --results on a complete rollouts file needs neither");
            if (server)
            {
                if (!Uri.TryCreate(Server, UriKind.Absolute, out var url) || (url.Scheme != "http" && url.Scheme != "https"))
                    return ValidationResult.Error($"--server '{Server}' is not an http(s) URL");
                if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model is required with --server");
            }
            else if (Model is not null || ApiKeyEnv is not null)
                return ValidationResult.Error("--model and --api-key-env belong to --server; with --checkpoint the model is the checkpoint");
            if (checkpoint && CliPaths.CheckpointError("--checkpoint", Checkpoint!) is { } checkpointError) return ValidationResult.Error(checkpointError);
            if ((CliPaths.OutputFileError("--out", Out) ?? CliPaths.OutputFileError("--report", Report)) is { } outError) return ValidationResult.Error(outError);
            if (CliPaths.OutputClashError([("--out", Out), ("--out", Shard is null ? null : ShardOption.Parse(Shard)!.FileFor(Out)), ("--report", Report)], [("--problems", Problems), ("--results", Results), ("--checkpoint", Checkpoint), ("--guide", Guide)]) is { } clash) return ValidationResult.Error(clash);
            if (!Label && (UnsafeNoIsolation || Workers is not null || ProgramTimeout is not null || Comparison != "apps"))
                return ValidationResult.Error("--unsafe-no-isolation, --workers, --program-timeout and --comparison only apply with --label");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var issues = new List<ProblemIssue>();
        IReadOnlyList<AppsProblem> problems = CliPaths.LoadProblems(settings.Problems, issues);
        foreach (var issue in issues) Console.Error.WriteLine($"rewardml: skipped {issue}");
        if (settings.Limit is int limit) problems = problems.Take(limit).ToList();
        var shard = ShardOption.Parse(settings.Shard);
        if (shard is not null) problems = problems.Where(p => shard.HoldsProblem(p.ProblemId)).ToList();
        string output = shard?.FileFor(settings.Out) ?? settings.Out;
        string? reportPath = settings.Report is { } report && shard is not null ? shard.FileFor(report) : settings.Report;

        var options = new BranchingRollouts.Options
        {
            BranchPoints = settings.BranchPoints,
            RolloutsPerBranch = settings.RolloutsPerBranch,
            Temperature = settings.Temperature,
            TopP = settings.TopP,
            MaxTokens = settings.MaxTokens,
            MinBranchDistance = settings.MinDistance,
            Seed = settings.Seed,
            Parallelism = settings.Parallel,
            Stop = settings.Stop is { Length: > 0 } stop ? stop.Select(s => s.Replace("\\n", "\n")).ToList() : new BranchingRollouts.Options().Stop,
        };
        var results = settings.Results is null ? null : LabelResultsFile.Read(settings.Results);

        // The judge first: a missing bubblewrap should fail before minutes of model loading.
        using var judge = settings.Label ? new SandboxJudge(settings.ToSandboxOptions()) : null;
        settings.WarnIfUnsafe();
        if (judge is not null) SandboxSettings.WarnIfNumpyUnavailable(judge.Options);
        var (generator, owned) = settings.Checkpoint is { } checkpoint ? InProcess(checkpoint, settings)
            : settings.Server is not null ? Server(settings)
            : ((ICompletionGenerator)new NoBackend(), (IDisposable?)null);
        using var ownedBackend = owned;

        using var guide = settings.Guide is { } guidePath
            ? RewardModelGuide.Load(guidePath, saved => new ComputeOptions { Device = settings.Device, DType = saved.DType, Threads = settings.Threads > 0 ? settings.Threads : saved.Threads })
            : null;
        var guidance = guide is null ? null
            : new GuidanceOptions { Guide = guide, StopBelow = settings.StopBelow, MinShare = settings.MinShare, ChunkTokens = settings.GuideChunkTokens };
        Func<IProgress<int>, Task<RolloutRunResult>> run = settings.Search == "beam"
            ? done => new ValueBeamSearch(generator, new ValueBeamSearch.Options
            {
                BeamWidth = settings.BeamWidth, Expand = settings.Expand, Temperature = options.Temperature, TopP = options.TopP,
                MaxTokens = options.MaxTokens, Seed = options.Seed, Stop = options.Stop, Parallelism = options.Parallelism, Guidance = guidance!,
            }, judge).RunAsync(problems, output, done, cancellationToken)
            : done => new BranchingRollouts(generator, options.With(guidance), judge).RunAsync(problems, output, results, done, cancellationToken);
        RolloutRunResult result = null!;
        int problemsDone = 0;
        try
        {
            await AnsiConsole.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask(settings.Label ? "problems (sampled and judged)" : "problems", maxValue: Math.Max(1, problems.Count));
                result = await run(new Progress<int>(done => task.Value = problemsDone = done));
                task.Value = task.MaxValue;
            });
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliStoppedException($"stopped with {problemsDone} of {problems.Count} problems done; every finished rollout is in {output}: rerun the same command to continue.", e);
        }
        CliProgress.Finished(settings.Label ? "problems (sampled and judged)" : "problems");

        Print(result, output, problems.Count);
        if (reportPath is not null)
            await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(result, ReportJson), cancellationToken);
        return result.Failures.Count == 0 ? 0 : 1;
    }

    /// <summary>The <c>--report</c> JSON: snake_case keys, as every file we write.</summary>
    internal static readonly JsonSerializerOptions ReportJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The backend of <c>--results</c> without <c>--server</c>/<c>--checkpoint</c>: fine while nothing needs sampling.</summary>
    private sealed class NoBackend : ICompletionGenerator
    {
        public Task<Completion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken = default) =>
            throw new ArgumentException("some rollouts of --out are missing and need sampling: give --server or --checkpoint (only --results on a complete rollouts file needs neither)");
    }

    private static (ICompletionGenerator Generator, IDisposable Owned) Server(Settings settings)
    {
        string? apiKey = settings.ApiKeyEnv is null ? null
            : Environment.GetEnvironmentVariable(settings.ApiKeyEnv) ?? throw new ArgumentException($"--api-key-env: environment variable {settings.ApiKeyEnv} is not set");
        var client = new OpenAiCompletionsGenerator(new()
        {
            BaseUrl = new Uri(settings.Server!),
            Model = settings.Model!,
            ApiKey = apiKey,
            RequestTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
            MaxRetries = settings.Retries,
        });
        return (client, client);
    }

    /// <summary>The checkpoint's model with its own tokenizer; the model is what must be disposed.</summary>
    private static (ICompletionGenerator Generator, IDisposable Owned) InProcess(string checkpoint, Settings settings)
    {
        if (!Directory.Exists(checkpoint)) throw new ArgumentException($"{checkpoint}: checkpoint folder not found.");
        var tokenizer = RewardTokenizer.Create(settings.Tokenizer is { } spec ? TokenizerSpec.Parse(spec) : TokenizerSpec.ForCheckpoint(checkpoint));
        tokenizer.EnsureFitsEmbedding(PhiConfig.Load(checkpoint).VocabSize); // before the weights: a mismatch fails fast
        var model = PhiCheckpoint.Load(checkpoint, new ComputeOptions { Device = settings.Device, DType = settings.DType, Threads = settings.Threads });
        return (new PhiCompletionGenerator(new PhiGenerator(model), tokenizer.Inner), model);
    }

    private static void Print(RolloutRunResult result, string path, int loadedProblems)
    {
        var report = result.Report;
        var table = new Table().AddColumns("", "");
        table.AddRow("file", Markup.Escape(path));
        table.AddRow("problems", report.Problems == loadedProblems ? $"{loadedProblems} loaded" : $"{loadedProblems} loaded ({report.Problems} with rollouts in the file)");
        table.AddRow("rollouts", $"{report.Rollouts} ({result.Generated} new, {result.Reused} resumed)");
        table.AddRow("judged", report.Judged == 0 ? "0 (rerun with --label, or label with `rewardml label --candidates` and rerun with --results)" : $"{report.Judged}, {report.Correct} correct");
        table.AddRow("cold start (no correct rollout)", $"{report.ColdStartProblems.Count}: {Markup.Escape(string.Join(", ", report.ColdStartProblems.Take(20)))}{(report.ColdStartProblems.Count > 20 ? ", …" : "")}");
        table.AddRow("all correct", report.AllCorrectProblems.Count.ToString());
        table.AddRow("failures", result.Failures.Count.ToString());
        if (result.Guide is { } g)
            table.AddRow("guide", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{g.Stopped} of {g.Rollouts} new rollouts stopped; {g.TokensGenerated} tokens generated, {g.TokensNotGenerated} not; {g.ForwardPasses} forward passes, {g.GuideTime.TotalSeconds:F1} s = {100 * g.GuideShare:F0}% of generation time"));
        AnsiConsole.Write(table);
        foreach (string bad in result.BadLines) Console.Error.WriteLine($"rewardml: dropped unreadable line {bad}");
        foreach (string failure in result.Failures.Take(20)) Console.Error.WriteLine($"rewardml: {failure}");
    }
}
