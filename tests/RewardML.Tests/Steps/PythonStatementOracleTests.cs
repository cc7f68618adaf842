using System.Diagnostics;
using System.Text.Json;
using RewardML.Steps;

namespace RewardML.Tests.Steps;

/// <summary>
/// Property tests of <see cref="PythonStatementSegmenter"/> on the real APPS reference solutions, with Python's own
/// <c>ast</c> module as an independent oracle of where statements start.
/// </summary>
[TestClass]
public sealed class PythonStatementOracleTests
{
    private const string Python = "/usr/bin/python3";

    // Statement start lines per program (a decorated definition starts at its first decorator), or null when the
    // program does not parse under this Python (many APPS solutions are Python 2).
    private const string OracleScript = """
        import ast, json, sys
        out = []
        for src in json.load(sys.stdin):
            try:
                tree = ast.parse(src)
            except (SyntaxError, ValueError):
                out.append(None)
                continue
            starts = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.stmt):
                    decorators = getattr(node, "decorator_list", None)
                    starts.add(min([node.lineno] + [d.lineno for d in decorators or []]))
            out.append(sorted(starts))
        json.dump(out, sys.stdout)
        """;

    private static readonly string[] ClauseKeywords = ["else", "elif", "except", "finally", "case"];

    [TestMethod]
    public void StepsTileEveryApsSolutionAndEndAtLineEnds()
    {
        var segmenter = new PythonStatementSegmenter();
        foreach (string code in AppsReferenceSolutions.All())
        {
            var ends = segmenter.Segment(code);
            StepAssert.Invariants(code, ends);
            foreach (int end in ends.Take(ends.Count - 1))
                Assert.IsTrue(code[end - 1] is '\n' or '\r', $"a step that is not the last ends after a line terminator, at {end} in {StepAssert.Show(code)}");
        }
    }

    [TestMethod]
    public void StepsStartExactlyWhereAstSeesStatementsOrClauses()
    {
        var programs = AppsReferenceSolutions.All();
        var oracle = RunOracle(programs);
        var segmenter = new PythonStatementSegmenter();
        int compared = 0, statements = 0;
        for (int p = 0; p < programs.Count; p++)
        {
            if (oracle[p] is not { } astStarts) continue;
            compared++;
            statements += astStarts.Length;
            string code = programs[p];
            var lines = SourceLinesOf(code);
            var stepStarts = new HashSet<int>();
            int start = 0;
            foreach (int end in segmenter.Segment(code))
            {
                if (FirstStatementLine(code, lines, start, end) is { } line) stepStarts.Add(line);
                start = end;
            }

            foreach (int line in astStarts.Where(line => !stepStarts.Contains(line)))
                Assert.Fail($"program {p}: the statement on line {line} does not start a step\n{code}");
            foreach (int line in stepStarts.Except(astStarts))
            {
                string text = LineText(code, lines, line).TrimStart();
                if (!ClauseKeywords.Any(k => text.StartsWith(k, StringComparison.Ordinal) && (text.Length == k.Length || !char.IsLetterOrDigit(text[k.Length]) && text[k.Length] != '_')))
                    Assert.Fail($"program {p}: step starting on line {line} ({text}) is neither a statement nor a clause header\n{code}");
            }
        }
        // The oracle must have checked a real body of code, not vacuously nothing.
        Assert.IsGreaterThan(1000, compared, $"programs that parse under {Python}");
        Assert.IsGreaterThan(20000, statements);
    }

    private static int[]?[] RunOracle(IReadOnlyList<string> programs)
    {
        if (!File.Exists(Python)) Assert.Inconclusive($"{Python} is absent: it is the independent oracle for statement starts.");
        var start = new ProcessStartInfo(Python, ["-W", "ignore", "-c", OracleScript])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(JsonSerializer.Serialize(programs));
        process.StandardInput.Close();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(1)), "python oracle timed out");
        Assert.AreEqual(0, process.ExitCode, stderr.Result);
        return JsonSerializer.Deserialize<int[]?[]>(stdout.Result)!;
    }

    /// <summary>(start, end) of each line, numbered from 1 as Python numbers them.</summary>
    private static List<(int Start, int End)> SourceLinesOf(string code)
    {
        var lines = new List<(int, int)>();
        int lineStart = 0;
        for (int i = 0; i < code.Length; i++)
        {
            if (code[i] == '\n' || (code[i] == '\r' && (i + 1 == code.Length || code[i + 1] != '\n')))
            {
                lines.Add((lineStart, i + 1));
                lineStart = i + 1;
            }
        }
        if (lineStart < code.Length) lines.Add((lineStart, code.Length));
        return lines;
    }

    /// <summary>The first line of [start, end) holding something other than blanks and comments, 1-based.</summary>
    private static int? FirstStatementLine(string code, List<(int Start, int End)> lines, int start, int end)
    {
        int first = lines.FindIndex(l => l.End > start);
        if (first < 0) return null;
        for (int n = first; n < lines.Count; n++)
        {
            var (lineStart, lineEnd) = lines[n];
            if (lineStart >= end) break;
            if (lineStart < start) Assert.Fail($"a step starts inside line {n + 1}, at {start}: steps start at line starts\n{code}");
            string text = code[lineStart..lineEnd].Trim();
            if (text.Length > 0 && text[0] != '#') return n + 1;
        }
        return null;
    }

    private static string LineText(string code, List<(int Start, int End)> lines, int line) =>
        code[lines[line - 1].Start..lines[line - 1].End];
}
