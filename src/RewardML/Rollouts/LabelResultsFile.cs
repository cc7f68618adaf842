using System.Text.Json;
using System.Text.Json.Nodes;
using RewardML.Sandbox.Labelling;

namespace RewardML.Rollouts;

/// <summary>
/// Reads the labeller's results.jsonl (<c>rewardml label --candidates rollouts.jsonl</c>): per line
/// <c>problem_id</c>, <c>candidate_id</c>, <c>strict_pass</c> and <c>pass_fraction</c>, to label rollouts after the fact.
/// </summary>
public static class LabelResultsFile
{
    /// <summary>One judged candidate.</summary>
    /// <param name="StrictPass">Every test passed.</param>
    /// <param name="PassFraction">Fraction of tests passed.</param>
    /// <param name="Tests">The verdict of each test; null when the line has none.</param>
    /// <param name="Comparison">The stdout comparison the labels were made with; null in results written before it was recorded.</param>
    public readonly record struct Outcome(bool StrictPass, double PassFraction, IReadOnlyList<TestOutcome>? Tests, OutputComparison? Comparison = null);

    /// <summary>Reads results keyed by (problem id, candidate id), both as text (ids may be JSON numbers or strings).</summary>
    /// <exception cref="InvalidDataException">A line is not a result; the message names the file, line and field.</exception>
    public static Dictionary<(string ProblemId, string CandidateId), Outcome> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"results file not found: {path}", path);
        var results = new Dictionary<(string, string), Outcome>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string where = $"{path}:line {lineNumber}";
            JsonObject row;
            try
            {
                row = JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException($"{where}: not a JSON object");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{where}: not JSON ({e.Message})");
            }
            results[(Id(row, "problem_id", where), Id(row, "candidate_id", where))] = new Outcome(
                row["strict_pass"] is JsonValue pass && pass.TryGetValue(out bool strict) ? strict : throw new InvalidDataException($"{where}: column 'strict_pass' is missing or not a boolean"),
                row["pass_fraction"] is JsonValue fraction && fraction.TryGetValue(out double value) ? value : (strict ? 1.0 : 0.0),
                Tests(row, where), Comparison(row, where));
        }
        return results;
    }

    private static OutputComparison? Comparison(JsonObject row, string where) => row["comparison"] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) && s is "apps" => OutputComparison.Apps,
        JsonValue v when v.TryGetValue(out string? s) && s is "exact" => OutputComparison.Exact,
        _ => throw new InvalidDataException($"{where}: column 'comparison' is not \"apps\" or \"exact\""),
    };

    private static IReadOnlyList<TestOutcome>? Tests(JsonObject row, string where)
    {
        if (row["tests"] is not JsonArray tests) return null;
        try
        {
            return tests.Deserialize<List<TestOutcome>>();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: column 'tests' is not a list of {{verdict, seconds}} ({e.Message})");
        }
    }

    internal static string Id(JsonObject row, string column, string where) => row[column] switch
    {
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v when v.TryGetValue(out long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new InvalidDataException($"{where}: column '{column}' is missing or not a string or integer"),
    };
}
