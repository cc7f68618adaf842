namespace RewardML.Sandbox.Labelling;

/// <summary>
/// Decides whether a standard-input program's stdout matches the expected output with the cascade of the official
/// APPS harness (hendrycks/apps eval/testing_util.py), reimplemented: the first rule that matches wins.
/// <list type="number">
/// <item>The output lines joined by newlines equal the expected text, both stripped; or the same with every line stripped.</item>
/// <item>The output lines equal the expected text's non-empty lines, stripped (output lines as printed, then without empty ones).</item>
/// <item>Both are lists of numbers of equal length that agree within numpy.allclose tolerances (rtol 1e-5, atol 1e-8).</item>
/// <item>The sets of per-line token sets are equal (line order, duplicate lines and token order within a line ignored).</item>
/// <item>The same with every token read as a number rounded to 3 decimals.</item>
/// </list>
/// </summary>
public static class StdoutComparer
{
    /// <summary>True when <paramref name="stdout"/> passes against <paramref name="expected"/> under the APPS cascade.</summary>
    public static bool Matches(string stdout, string expected)
    {
        var lines = PythonText.SplitLines(stdout);
        string want = PythonText.Strip(expected);
        if (PythonText.Strip(string.Join('\n', lines)) == want) return true;
        if (PythonText.Strip(string.Join('\n', lines.Select(PythonText.Strip))) == want) return true;

        // The harness filters empty lines before stripping, so lines of spaces survive as "".
        var wantLines = expected.Split('\n').Where(l => l.Length > 0).Select(PythonText.Strip).ToList();
        if (lines.SequenceEqual(wantLines)) return true;
        var nonEmpty = lines.Where(l => l.Length > 0).ToList();
        if (nonEmpty.SequenceEqual(wantLines)) return true;

        if (AllClose(nonEmpty, wantLines)) return true;

        // As in the harness, only the output side drops lines without tokens.
        if (TokenSets(nonEmpty, t => t, dropEmpty: true).SetEquals(TokenSets(wantLines, t => t, dropEmpty: false))) return true;
        try
        {
            return TokenSets(nonEmpty, Rounded, dropEmpty: true).SetEquals(TokenSets(wantLines, Rounded, dropEmpty: false));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool AllClose(List<string> got, List<string> want)
    {
        if (got.Count != want.Count) return false;
        for (int i = 0; i < got.Count; i++)
        {
            if (!PythonText.TryParseFloat(got[i], out double a) || !PythonText.TryParseFloat(want[i], out double b)) return false;
            if (a == b) continue; // equal infinities
            if (!(Math.Abs(a - b) <= 1e-8 + 1e-5 * Math.Abs(b))) return false;
        }
        return got.Count > 0;
    }

    private static string Rounded(string token)
    {
        if (!PythonText.TryParseFloat(token, out double v)) throw new FormatException(token);
        double r = Math.Round(v, 3, MidpointRounding.ToEven);
        return (r == 0 ? 0.0 : r).ToString("R", System.Globalization.CultureInfo.InvariantCulture); // -0.0 == 0.0 in Python
    }

    /// <summary>The set of lines, each line the set of its whitespace tokens.</summary>
    private static HashSet<string> TokenSets(List<string> lines, Func<string, string> token, bool dropEmpty)
    {
        var sets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var tokens = PythonText.SplitWhitespace(line);
            if (tokens.Count == 0 && dropEmpty) continue;
            sets.Add(string.Join('\u0000', tokens.Select(token).Distinct().Order(StringComparer.Ordinal)));
        }
        return sets;
    }
}
