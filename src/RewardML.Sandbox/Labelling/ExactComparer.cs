using System.Globalization;
using System.Text.RegularExpressions;

namespace RewardML.Sandbox.Labelling;

/// <summary>
/// The <see cref="OutputComparison.Exact"/> rule: the output equals the expected output line by line, after trailing
/// whitespace is trimmed from every line and trailing blank lines are dropped (on both sides). Numbers are text
/// ("10" is not "10.0", "007" is not "7"), except where the expected token is a float (a decimal point or an
/// exponent): there the output's token must be a number within <see cref="FloatTolerance"/> of it, absolute or
/// relative. A line holding such a token is compared token by token (same tokens, whitespace between them free).
/// </summary>
public static partial class ExactComparer
{
    /// <summary>Absolute or relative tolerance for expected float tokens: |got − want| ≤ 1e-6 · max(1, |want|).</summary>
    public const double FloatTolerance = 1e-6;

    /// <summary>True when <paramref name="stdout"/> equals <paramref name="expected"/> under the exact rule.</summary>
    public static bool Matches(string stdout, string expected)
    {
        var got = Lines(stdout);
        var want = Lines(expected);
        if (got.Count != want.Count) return false;
        for (int i = 0; i < got.Count; i++)
            if (got[i] != want[i] && !FloatLineMatches(got[i], want[i])) return false;
        return true;
    }

    private static List<string> Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    private static bool FloatLineMatches(string got, string want)
    {
        var wantTokens = PythonText.SplitWhitespace(want);
        if (!wantTokens.Any(IsFloat)) return false;
        var gotTokens = PythonText.SplitWhitespace(got);
        if (gotTokens.Count != wantTokens.Count) return false;
        for (int i = 0; i < wantTokens.Count; i++)
        {
            if (gotTokens[i] == wantTokens[i]) continue;
            if (!IsFloat(wantTokens[i]) || !IsNumber(gotTokens[i])) return false;
            double a = double.Parse(gotTokens[i], CultureInfo.InvariantCulture), b = double.Parse(wantTokens[i], CultureInfo.InvariantCulture);
            if (!(Math.Abs(a - b) <= FloatTolerance * Math.Max(1, Math.Abs(b)))) return false;
        }
        return true;
    }

    private static bool IsFloat(string token) => IsNumber(token) && token.IndexOfAny(['.', 'e', 'E']) >= 0;

    private static bool IsNumber(string token) => NumberPattern().IsMatch(token);

    [GeneratedRegex(@"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
