using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RewardML.Sandbox.Labelling;

/// <summary>
/// results.jsonl, written one line per program as results arrive, so a run can be resumed: opening an existing file
/// collects the (problem_id, candidate_id) pairs already done and cuts off a half-written last line.
/// </summary>
public sealed class ResultsJournal : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly HashSet<(string, string)> _done;
    private readonly Lock _lock = new();

    private ResultsJournal(StreamWriter writer, HashSet<(string, string)> done, IReadOnlyList<string> corruptLines)
    {
        _writer = writer;
        _done = done;
        CorruptLines = corruptLines;
    }

    /// <summary>
    /// Lines of the resumed file that are not results (<c>PATH:line N: …</c>): their pairs are judged again. A last
    /// line cut off mid-write is removed from the file.
    /// </summary>
    public IReadOnlyList<string> CorruptLines { get; }

    /// <summary>Pairs that already have a result line.</summary>
    public int DoneCount => _done.Count;

    /// <summary>Opens (creating, or resuming) a results file.</summary>
    public static ResultsJournal Open(string path)
    {
        var done = new HashSet<(string, string)>();
        var corrupt = new List<string>();
        if (File.Exists(path))
        {
            long keep = 0, offset = 0;
            int lineNumber = 0;
            var bytes = File.ReadAllBytes(path);
            while (offset < bytes.Length)
            {
                int end = Array.IndexOf(bytes, (byte)'\n', (int)offset);
                lineNumber++;
                if (end < 0)
                {
                    // a last line without its newline was cut off mid-write
                    corrupt.Add($"{path}:line {lineNumber}: cut off mid-write; removed, its program is judged again");
                    break;
                }
                var line = Encoding.UTF8.GetString(bytes, (int)offset, end - (int)offset);
                if (TryIds(line) is { } ids) done.Add(ids);
                else if (!string.IsNullOrWhiteSpace(line))
                    corrupt.Add($"{path}:line {lineNumber}: not a result line (invalid JSON or no problem_id/candidate_id); its program is judged again");
                offset = end + 1;
                keep = offset;
            }
            if (keep < bytes.Length)
                using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write)) truncate.SetLength(keep);
        }
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return new ResultsJournal(new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" }, done, corrupt);
    }

    /// <summary>True when the pair already has a result.</summary>
    public bool IsDone(string problemId, string candidateId)
    {
        lock (_lock) return _done.Contains((problemId, candidateId));
    }

    /// <summary>Appends one results line and flushes it.</summary>
    public void Write(Candidate candidate, ProgramResult result, bool includeDetails)
    {
        var line = new JsonObject
        {
            ["problem_id"] = candidate.ProblemId,
            ["candidate_id"] = candidate.CandidateId,
        };
        foreach (var (key, value) in candidate.Extra)
            if (key is not ("strict_pass" or "pass_fraction" or "tests" or "seconds" or "comparison")) line[key] = value?.DeepClone();
        line["strict_pass"] = result.StrictPass;
        line["pass_fraction"] = result.PassFraction;
        var tests = JsonSerializer.SerializeToNode(includeDetails ? result.Tests : result.Tests.Select(t => t with { Detail = null }).ToList());
        line["tests"] = tests;
        line["seconds"] = result.Seconds;
        line["comparison"] = JsonSerializer.SerializeToNode(result.Comparison);
        if (includeDetails && result.CpuSeconds is { } cpu) line["cpu_seconds"] = cpu;
        string text = line.ToJsonString();
        lock (_lock)
        {
            _writer.WriteLine(text);
            _writer.Flush();
            _done.Add((candidate.ProblemId, candidate.CandidateId));
        }
    }

    private static (string, string)? TryIds(string line)
    {
        try
        {
            return JsonNode.Parse(line) is JsonObject o && o["problem_id"] is JsonValue p && o["candidate_id"] is JsonValue c
                ? (Text(p), Text(c)) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Text(JsonValue v) => v.TryGetValue(out string? s) ? s : v.ToJsonString();

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock) _writer.Dispose();
    }
}
