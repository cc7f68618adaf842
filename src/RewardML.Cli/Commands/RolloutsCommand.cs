using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using RewardML.Rollouts;
using RewardML.Sandbox.Problems;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml rollouts</c>: branching rollouts (1 main, K branch points, M rollouts each) from an OpenAI-compatible
/// server, written to rollouts.jsonl; resumable; labels come from <c>rewardml label</c>'s results via <c>--results</c>.
/// </summary>
internal sealed class RolloutsCommand : AsyncCommand<RolloutsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--problems <PATH>"), Description("APPS problems as JSONL (codeparrot/apps rows).")]
        public string Problems { get; init; } = "";

        [CommandOption("--out <PATH>"), Description("rollouts.jsonl to write; an existing file is resumed.")]
        public string Out { get; init; } = "";

        [CommandOption("--server <URL>"), Description("OpenAI-compatible API base, e.g. http://127.0.0.1:8000/v1 (vLLM, llama.cpp server).")]
        public string? Server { get; init; }

        [CommandOption("--model <NAME>"), Description("The served model's name.")]
        public string? Model { get; init; }

        [CommandOption("--api-key-env <VAR>"), Description("Environment variable holding the server's API key, if it wants one.")]
        public string? ApiKeyEnv { get; init; }

        [CommandOption("--branch-points <K>"), Description("Branch points per main rollout (paper: 6).")]
        public int BranchPoints { get; init; } = 6;

        [CommandOption("--rollouts-per-branch <M>"), Description("Rollouts from each branch point (paper: 6).")]
        public int RolloutsPerBranch { get; init; } = 6;

        [CommandOption("--temperature <T>")]
        public double Temperature { get; init; } = 1.0;

        [CommandOption("--top-p <P>")]
        public double TopP { get; init; } = 0.95;

        [CommandOption("--max-tokens <N>"), Description("Token budget of the main rollout (a branch gets it less its prefix).")]
        public int MaxTokens { get; init; } = 1024;

        [CommandOption("--min-distance <N>"), Description("Minimum distance in tokens between branch points.")]
        public int MinDistance { get; init; } = 4;

        [CommandOption("--seed <N>")]
        public int Seed { get; init; }

        [CommandOption("--stop <TEXT>"), Description("Stop string (repeatable); default: \\nQUESTION:, <|endoftext|>, <|end|>.")]
        public string[]? Stop { get; init; }

        [CommandOption("--parallel <N>"), Description("Requests in flight at once.")]
        public int Parallel { get; init; } = 4;

        [CommandOption("--timeout <SECONDS>"), Description("Time allowed for one request.")]
        public double TimeoutSeconds { get; init; } = 300;

        [CommandOption("--retries <N>"), Description("Retries of a request after a transient failure.")]
        public int Retries { get; init; } = 3;

        [CommandOption("--limit <N>"), Description("Only the first N problems.")]
        public int? Limit { get; init; }

        [CommandOption("--results <PATH>"), Description("results.jsonl of `rewardml label --candidates <rollouts.jsonl>`: labels the rollouts, then prefix values and weights are computed.")]
        public string? Results { get; init; }

        [CommandOption("--report <PATH>"), Description("Write the run's report (counts, cold-start problems, failures) as JSON.")]
        public string? Report { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Problems)) return ValidationResult.Error("--problems is required");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required");
            if (string.IsNullOrWhiteSpace(Server)) return ValidationResult.Error("--server is required (an OpenAI-compatible /v1 base URL)");
            if (!Uri.TryCreate(Server, UriKind.Absolute, out var url) || (url.Scheme != "http" && url.Scheme != "https"))
                return ValidationResult.Error($"--server '{Server}' is not an http(s) URL");
            if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model is required with --server");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (problems, badRows) = ReadProblems(settings.Problems);
        foreach (string bad in badRows) Console.Error.WriteLine($"rewardml: skipped {bad}");
        if (settings.Limit is int limit) problems = problems.Take(limit).ToList();

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
        string? apiKey = settings.ApiKeyEnv is null ? null
            : Environment.GetEnvironmentVariable(settings.ApiKeyEnv) ?? throw new ArgumentException($"--api-key-env: environment variable {settings.ApiKeyEnv} is not set");
        using var client = new OpenAiCompletionsGenerator(new()
        {
            BaseUrl = new Uri(settings.Server!),
            Model = settings.Model!,
            ApiKey = apiKey,
            RequestTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
            MaxRetries = settings.Retries,
        });
        var results = settings.Results is null ? null : LabelResultsFile.Read(settings.Results);

        var runner = new BranchingRollouts(client, options);
        RolloutRunResult result = null!;
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask("problems", maxValue: Math.Max(1, problems.Count));
            result = await runner.RunAsync(problems, settings.Out, results, new Progress<int>(done => task.Value = done), cancellationToken);
            task.Value = task.MaxValue;
        });

        Print(result, settings.Out);
        if (settings.Report is not null)
            await File.WriteAllTextAsync(settings.Report, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        return result.Failures.Count == 0 ? 0 : 1;
    }

    private static void Print(RolloutRunResult result, string path)
    {
        var report = result.Report;
        var table = new Table().AddColumns("", "");
        table.AddRow("file", Markup.Escape(path));
        table.AddRow("problems", report.Problems.ToString());
        table.AddRow("rollouts", $"{report.Rollouts} ({result.Generated} new, {result.Reused} resumed)");
        table.AddRow("judged", report.Judged == 0 ? "0 (label with `rewardml label --candidates`, then rerun with --results)" : $"{report.Judged}, {report.Correct} correct");
        table.AddRow("cold start (no correct rollout)", $"{report.ColdStartProblems.Count}: {Markup.Escape(string.Join(", ", report.ColdStartProblems.Take(20)))}{(report.ColdStartProblems.Count > 20 ? ", …" : "")}");
        table.AddRow("all correct", report.AllCorrectProblems.Count.ToString());
        table.AddRow("failures", result.Failures.Count.ToString());
        AnsiConsole.Write(table);
        foreach (string bad in result.BadLines) Console.Error.WriteLine($"rewardml: dropped unreadable line {bad}");
        foreach (string failure in result.Failures.Take(20)) Console.Error.WriteLine($"rewardml: {failure}");
    }

    /// <summary>
    /// Reads the codeparrot/apps JSONL rows this verb needs (id, question, starter code, fn_name, solutions, tests).
    /// Stand-in until the sandbox's APPS loader (which also reads the folder layout) is on this branch.
    /// </summary>
    private static (List<AppsProblem> Problems, List<string> BadRows) ReadProblems(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"problems file not found: {path}", path);
        var problems = new List<AppsProblem>();
        var bad = new List<string>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                var row = JsonNode.Parse(text)?.AsObject() ?? throw new InvalidDataException("not a JSON object");
                string id = row["problem_id"]?.ToString() ?? throw new InvalidDataException("column 'problem_id' is missing");
                string question = row["question"]?.GetValue<string>() ?? throw new InvalidDataException("column 'question' is missing");
                var tests = ParseEmbedded(row["input_output"])?.AsObject();
                var solutions = ParseEmbedded(row["solutions"])?.AsArray().Select(s => s!.GetValue<string>()).ToList() ?? [];
                problems.Add(new AppsProblem(
                    id, question, solutions,
                    new AppsTests(tests?["inputs"]?.AsArray().ToList() ?? [], tests?["outputs"]?.AsArray().ToList() ?? [], tests?["fn_name"]?.GetValue<string>()),
                    row["starter_code"]?.GetValue<string>() ?? "",
                    row["difficulty"]?.GetValue<string>() ?? ""));
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException or FormatException)
            {
                bad.Add($"{path}:line {line}: {e.Message}");
            }
        }
        return (problems, bad);
    }

    /// <summary><c>solutions</c> and <c>input_output</c> are JSON texts inside the row (or already JSON, or empty).</summary>
    private static JsonNode? ParseEmbedded(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue(out string? s) => string.IsNullOrWhiteSpace(s) ? null : JsonNode.Parse(s),
        null => null,
        _ => value.DeepClone(),
    };
}
