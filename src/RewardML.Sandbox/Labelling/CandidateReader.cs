using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RewardML.Sandbox.Problems;

namespace RewardML.Sandbox.Labelling;

/// <summary>Reads candidates.jsonl, or makes candidates from problems' reference solutions. Bad lines are reported and skipped.</summary>
public static class CandidateReader
{
    /// <summary>Streams the candidates of a JSONL file; a bad line becomes an issue (file, line, reason).</summary>
    public static IEnumerable<Candidate> ReadJsonl(string path, ICollection<ProblemIssue> issues)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such candidates file.", path);
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            Candidate? candidate = null;
            try
            {
                if (JsonNode.Parse(line) is not JsonObject row) throw new InvalidDataException("the line is not a JSON object");
                string problemId = Id(row, "problem_id");
                string candidateId = Id(row, "candidate_id");
                // "code": a whole program, or a HumanEval completion; "completion" alone is taken when "code" is absent.
                string codeField = row.ContainsKey("code") ? "code" : "completion";
                if (row[codeField] is not JsonValue codeValue || !codeValue.TryGetValue(out string? code))
                    throw new InvalidDataException("code is missing or not a string (for HumanEval, \"completion\" may stand instead)");
                var extra = new JsonObject();
                foreach (var (key, value) in row)
                    if (key != codeField && key is not ("problem_id" or "candidate_id")) extra[key] = value?.DeepClone();
                candidate = new Candidate(problemId, candidateId, code, extra);
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException)
            {
                issues.Add(new ProblemIssue(path, lineNumber, ProblemIssue.Describe(e)));
            }
            if (candidate is not null) yield return candidate;
        }
    }

    /// <summary>The first <paramref name="perProblem"/> reference solutions of every problem; candidate_id = the solution's index.</summary>
    public static IEnumerable<Candidate> ReferenceSolutions(IEnumerable<AppsProblem> problems, int perProblem) =>
        problems.SelectMany(p => p.Solutions.Take(perProblem).Select((code, i) =>
            new Candidate(p.ProblemId, i.ToString(CultureInfo.InvariantCulture), code, [])));

    private static string Id(JsonObject row, string name) => row[name] switch
    {
        JsonValue v when v.TryGetValue(out string? s) && s.Length > 0 => s,
        JsonValue v when v.TryGetValue(out long n) => n.ToString(CultureInfo.InvariantCulture),
        _ => throw new InvalidDataException($"{name} is missing (a string or an integer is expected)"),
    };
}
