using System.Text.Json;
using System.Text.Json.Nodes;

namespace RewardML.Sandbox.Problems;

/// <summary>
/// Loads problems: APPS, HumanEval or MBPP rows (told apart by their fields, see <see cref="FromRow"/>). APPS from Hugging Face-style JSONL rows (<c>solutions</c> and <c>input_output</c> as JSON strings,
/// as on codeparrot/apps) or from the original folder layout (<c>NNNN/question.txt, input_output.json,
/// solutions.json, metadata.json, starter_code.py</c>). A bad or partial problem becomes a <see cref="ProblemIssue"/>
/// and is skipped; reading never throws for bad content (only for a path that does not exist).
/// </summary>
public static class AppsProblemReader
{
    /// <summary>Loads a JSONL file, a folder of problem folders, or one problem folder.</summary>
    /// <param name="path">A <c>.jsonl</c> file or a folder.</param>
    /// <param name="issues">Receives every skipped problem.</param>
    public static IReadOnlyList<AppsProblem> Load(string path, ICollection<ProblemIssue> issues)
    {
        if (File.Exists(path)) return ReadJsonl(path, issues);
        if (!Directory.Exists(path)) throw new FileNotFoundException($"{path}: no such problems file or folder.", path);
        if (File.Exists(Path.Combine(path, "input_output.json")) || File.Exists(Path.Combine(path, "question.txt")))
        {
            var one = ReadFolder(path, issues);
            return one is null ? [] : [one];
        }
        var problems = new List<AppsProblem>();
        foreach (var dir in Directory.GetDirectories(path).OrderBy(d => d, StringComparer.Ordinal))
            if (ReadFolder(dir, issues) is { } problem) problems.Add(problem);
        return problems;
    }

    /// <summary>Reads Hugging Face-style rows, one JSON object per line; blank lines are ignored.</summary>
    public static IReadOnlyList<AppsProblem> ReadJsonl(string path, ICollection<ProblemIssue> issues)
    {
        var problems = new List<AppsProblem>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonNode.Parse(line) is not JsonObject row) throw new InvalidDataException("the line is not a JSON object");
                problems.Add(FromRow(row));
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException or FormatException)
            {
                issues.Add(new ProblemIssue(path, lineNumber, ProblemIssue.Describe(e)));
            }
        }
        return problems;
    }

    /// <summary>
    /// Builds a problem from one row. The format is told by the fields: <c>test</c> + <c>entry_point</c> = HumanEval,
    /// <c>test_list</c> = MBPP, otherwise APPS (<c>input_output</c>). The id is <c>problem_id</c>, else <c>task_id</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">A required field is missing or malformed.</exception>
    public static AppsProblem FromRow(JsonObject row)
    {
        string id = (row["problem_id"] ?? row["task_id"]) switch
        {
            JsonValue v when v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s) => s,
            JsonValue v when v.TryGetValue(out long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
            JsonValue v when v.TryGetValue(out int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new InvalidDataException("problem_id (or task_id) is missing (a string or an integer is expected)"),
        };
        if (row.ContainsKey("test") && row.ContainsKey("entry_point")) return HumanEvalRow(id, row);
        if (row.ContainsKey("test_list")) return MbppRow(id, row);
        var tests = ParseTests(EmbeddedJson(row["input_output"], "input_output"), $"problem {id}: input_output");
        var solutions = ParseSolutions(EmbeddedJson(row["solutions"], "solutions"), $"problem {id}: solutions");
        return new AppsProblem(id, Text(row["question"]), solutions, tests, Text(row["starter_code"]), Text(row["difficulty"]));
    }

    private static readonly AppsTests NoIoTests = new([], [], null);

    private static AppsProblem HumanEvalRow(string id, JsonObject row)
    {
        string prompt = RequiredText(row, "prompt", id);
        string entry = RequiredText(row, "entry_point", id);
        string test = RequiredText(row, "test", id);
        if (!System.Text.RegularExpressions.Regex.IsMatch(test, @"(?m)^def check\("))
            throw new InvalidDataException($"problem {id}: test does not define check(candidate)");
        string canonical = Text(row["canonical_solution"]);
        return new AppsProblem(id, prompt, canonical.Length > 0 ? [canonical] : [], NoIoTests, "", "")
        {
            Check = new CheckTests(ProblemFormat.HumanEval, prompt, entry, test, ""),
        };
    }

    private static AppsProblem MbppRow(string id, JsonObject row)
    {
        if (row["test_list"] is not JsonArray list || list.Count == 0)
            throw new InvalidDataException($"problem {id}: test_list must be a non-empty list of assert lines");
        var asserts = list.Select(x => x is JsonValue v && v.TryGetValue(out string? s) ? s
            : throw new InvalidDataException($"problem {id}: every test_list entry must be a string")).ToList();
        string code = Text(row["code"]);
        string? entry = row["entry_point"] is JsonValue ev && ev.TryGetValue(out string? e) && e.Length > 0 ? e : null;
        string question = Text(row["text"]) is { Length: > 0 } text ? text : Text(row["prompt"]);
        return new AppsProblem(id, question, code.Length > 0 ? [code] : [], NoIoTests, "", "")
        {
            Check = new CheckTests(ProblemFormat.Mbpp, "", entry, string.Join('\n', asserts) + "\n", Text(row["test_setup_code"])),
        };
    }

    private static string RequiredText(JsonObject row, string name, string id) =>
        row[name] is JsonValue v && v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s) ? s
            : throw new InvalidDataException($"problem {id}: {name} is missing or not a string");

    private static AppsProblem? ReadFolder(string dir, ICollection<ProblemIssue> issues)
    {
        string id = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
        string ioPath = Path.Combine(dir, "input_output.json");
        if (!File.Exists(ioPath))
        {
            issues.Add(new ProblemIssue(dir, null, "input_output.json is missing: the problem has no tests"));
            return null;
        }
        string current = ioPath;
        try
        {
            var tests = ParseTests(JsonNode.Parse(File.ReadAllText(ioPath)), "input_output.json");
            current = Path.Combine(dir, "solutions.json");
            var solutions = File.Exists(current) ? ParseSolutions(JsonNode.Parse(File.ReadAllText(current)), "solutions.json") : [];
            current = Path.Combine(dir, "metadata.json");
            string difficulty = File.Exists(current) && JsonNode.Parse(File.ReadAllText(current)) is JsonObject meta ? Text(meta["difficulty"]) : "";
            string question = ReadOptional(Path.Combine(dir, "question.txt"));
            string starter = ReadOptional(Path.Combine(dir, "starter_code.py"));
            return new AppsProblem(id, question, solutions, tests, starter, difficulty);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException or FormatException)
        {
            issues.Add(new ProblemIssue(current, null, ProblemIssue.Describe(e)));
            return null;
        }
    }

    private static string ReadOptional(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    /// <summary>A field that holds JSON text (the Hugging Face rows) or the JSON itself; null when absent or empty.</summary>
    private static JsonNode? EmbeddedJson(JsonNode? field, string name)
    {
        if (field is JsonValue v && v.TryGetValue(out string? text))
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            try { return JsonNode.Parse(text); }
            catch (JsonException e) { throw new InvalidDataException($"{name} is not valid JSON text: {e.Message}"); }
        }
        return field;
    }

    private static AppsTests ParseTests(JsonNode? node, string what)
    {
        if (node is not JsonObject io) throw new InvalidDataException($"{what}: missing or not an object (the problem has no tests)");
        if (io["inputs"] is not JsonArray inputs || io["outputs"] is not JsonArray outputs)
            throw new InvalidDataException($"{what}: needs the arrays \"inputs\" and \"outputs\"");
        if (inputs.Count != outputs.Count)
            throw new InvalidDataException($"{what}: {inputs.Count} inputs but {outputs.Count} outputs");
        if (inputs.Count == 0) throw new InvalidDataException($"{what}: no tests");
        string? fnName = io["fn_name"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s) => s,
            _ => throw new InvalidDataException($"{what}: fn_name must be a non-empty string"),
        };
        if (fnName is not null && inputs.Any(i => i is not JsonArray))
            throw new InvalidDataException($"{what}: call-based (fn_name {fnName}) but an input is not an argument list");
        return new AppsTests(inputs.Select(n => n?.DeepClone()).ToList(), outputs.Select(n => n?.DeepClone()).ToList(), fnName);
    }

    private static IReadOnlyList<string> ParseSolutions(JsonNode? node, string what) => node switch
    {
        null => [],
        JsonArray a => a.Select(s => s is JsonValue v && v.TryGetValue(out string? code) ? code
            : throw new InvalidDataException($"{what}: every solution must be a string")).ToList(),
        _ => throw new InvalidDataException($"{what}: a list of programs is expected"),
    };

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : "";
}
