using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Data;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;

namespace RewardML.Cli.Training;

/// <summary>One training row as <c>rewardml train</c> builds it: the library's reward row plus APPS starter code and format.</summary>
internal sealed class TrainingRow
{
    public string ProblemId { get; set; } = "";
    public string Prompt { get; set; } = "";
    public string Code { get; set; } = "";
    public bool Label { get; set; }
    [VectorType]
    public float[] StepTargets { get; set; } = [];
    public float Weight { get; set; } = 1;
    public string StarterCode { get; set; } = "";
    public bool CallBased { get; set; }

    /// <summary>FILE:LINE the row was read from, for messages (internal: not a column).</summary>
    internal string Source { get; set; } = "";
}

/// <summary>
/// Reads <c>rewardml train</c>'s input: rows with prompt, code and label (CSV or JSON Lines); or labelled rollouts/candidates
/// (code and label, no prompt) whose prompts come from <c>--problems</c>; or <c>results.jsonl</c> (labels as <c>strict_pass</c>)
/// joined with <c>--candidates</c> (code) and <c>--problems</c>. Bad rows are reported and skipped, never silently dropped.
/// </summary>
internal static class TrainingRowsReader
{
    /// <param name="Rows">The usable rows.</param>
    /// <param name="HasStepTargets">Whether the rows carry step targets.</param>
    /// <param name="Problems">The skipped rows' reasons.</param>
    /// <param name="CheckStyleProblems">With --problems: whether every row's problem is HumanEval/MBPP-style (test code, as
    /// <c>label</c> detects it); null without --problems.</param>
    public sealed record Result(List<TrainingRow> Rows, bool HasStepTargets, List<string> Problems, bool? CheckStyleProblems = null);

    /// <param name="data">The rows file.</param>
    /// <param name="problemsPath">--problems, or null.</param>
    /// <param name="candidatesPath">--candidates, or null.</param>
    /// <param name="stepCount">The number of steps the step strategy finds in a program: a row whose step_targets has
    /// another length is reported with its file and line and skipped. Null = not checked.</param>
    public static Result Read(string data, string? problemsPath, string? candidatesPath, Func<string, int>? stepCount = null)
    {
        var problems = problemsPath is null ? null : LoadProblems(problemsPath);
        var issues = new List<string>();
        List<TrainingRow> rows;
        bool hasTargets;
        if (candidatesPath is not null)
        {
            if (problems is null) throw new ArgumentException("--candidates: also give --problems (the prompts).");
            (rows, hasTargets) = (FromResults(data, candidatesPath, issues), false);
        }
        else
        {
            var options = new RewardRowLoader.Options { RequirePrompt = problems is null };
            var bad = new List<BadRow>();
            var read = RewardRowLoader.Read(data, options, bad);
            issues.AddRange(bad.Select(b => b.ToString()));
            hasTargets = read.ColumnNames.Contains(options.StepTargetsColumnName);
            rows = read.Rows.Select((r, i) => new TrainingRow
            {
                ProblemId = r.ProblemId, Prompt = r.Prompt, Code = r.Code, Label = r.Label, StepTargets = r.StepTargets, Weight = r.Weight,
                Source = $"{data}:{read.Lines[i]}",
            }).ToList();
        }
        bool? checkStyle = null;
        if (problems is not null)
        {
            checkStyle = true;
            var kept = new List<TrainingRow>();
            foreach (var row in rows)
            {
                if (!problems.TryGetValue(row.ProblemId, out var problem)) { issues.Add($"{data}: problem '{row.ProblemId}' is not in {problemsPath}; row skipped"); continue; }
                if (string.IsNullOrEmpty(row.Prompt)) row.Prompt = problem.Question;
                row.StarterCode = problem.StarterCode;
                row.CallBased = problem.IsCallBased;
                checkStyle &= problem.Check is not null;
                kept.Add(row);
            }
            rows = kept;
        }
        if (hasTargets && rows.Any(r => r.StepTargets.Length == 0))
            throw new InvalidDataException($"{data}: some rows have step_targets and others not; give them for every row or none.");
        if (hasTargets && stepCount is not null)
        {
            rows = rows.Where(row =>
            {
                int steps = stepCount(row.Code);
                if (row.StepTargets.Length == steps) return true;
                issues.Add($"{row.Source}: step_targets has {row.StepTargets.Length} values but the program has {steps} steps; row skipped");
                return false;
            }).ToList();
        }
        foreach (var issue in issues) Console.Error.WriteLine($"skipped: {issue}");
        if (rows.Count == 0) throw new InvalidDataException($"{data}: no usable training row ({issues.Count} skipped).");
        return new Result(rows, hasTargets, issues, checkStyle);
    }

    public static IDataView ToDataView(MLContext ml, IEnumerable<TrainingRow> rows, bool hasStepTargets)
    {
        var definition = SchemaDefinition.Create(typeof(TrainingRow));
        if (!hasStepTargets) definition.Remove(definition.Single(c => c.MemberName == nameof(TrainingRow.StepTargets)));
        return ml.Data.LoadFromEnumerable(rows.ToList(), definition);
    }

    private static Dictionary<string, AppsProblem> LoadProblems(string path)
    {
        var issues = new List<ProblemIssue>();
        var problems = AppsProblemReader.Load(path, issues);
        foreach (var issue in issues) Console.Error.WriteLine($"skipped: {issue}");
        var byId = new Dictionary<string, AppsProblem>();
        foreach (var p in problems) byId.TryAdd(p.ProblemId, p);
        if (byId.Count == 0) throw new InvalidDataException($"{path}: no problem could be read.");
        return byId;
    }

    // results.jsonl (problem_id, candidate_id, strict_pass) joined with candidates.jsonl (code) by (problem_id, candidate_id).
    private static List<TrainingRow> FromResults(string resultsPath, string candidatesPath, List<string> issues)
    {
        var candidateIssues = new List<ProblemIssue>();
        var code = new Dictionary<(string, string), string>();
        foreach (var c in CandidateReader.ReadJsonl(candidatesPath, candidateIssues)) code.TryAdd((c.ProblemId, c.CandidateId), c.Code);
        issues.AddRange(candidateIssues.Select(i => i.ToString()));
        var rows = new List<TrainingRow>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(resultsPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var json = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
                string problem = json["problem_id"]!.ToString(), candidate = json["candidate_id"]!.ToString();
                bool pass = json["strict_pass"]!.GetValue<bool>();
                if (!code.TryGetValue((problem, candidate), out var program)) { issues.Add($"{resultsPath}:{lineNumber}: candidate {problem}/{candidate} is not in {candidatesPath}"); continue; }
                rows.Add(new TrainingRow { ProblemId = problem, Code = program, Label = pass });
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or NullReferenceException or InvalidOperationException or FormatException)
            {
                issues.Add($"{resultsPath}:{lineNumber}: not a results line with problem_id, candidate_id and strict_pass ({e.Message})");
            }
        }
        return rows;
    }
}
