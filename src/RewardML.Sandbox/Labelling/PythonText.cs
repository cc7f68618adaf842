using System.Globalization;

namespace RewardML.Sandbox.Labelling;

/// <summary>Python's str.strip / str.split() / str.splitlines() / float() on .NET strings, as the APPS comparison uses them.</summary>
internal static class PythonText
{
    /// <summary>str.isspace for one character (Unicode whitespace plus the ASCII separators 0x1C–0x1F).</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static string Strip(string s)
    {
        int a = 0, b = s.Length;
        while (a < b && IsSpace(s[a])) a++;
        while (b > a && IsSpace(s[b - 1])) b--;
        return s[a..b];
    }

    /// <summary>str.split() without arguments: runs of whitespace separate, no empty tokens.</summary>
    public static List<string> SplitWhitespace(string s)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            if (i > start) tokens.Add(s[start..i]);
        }
        return tokens;
    }

    /// <summary>str.splitlines(): splits on \n, \r, \r\n, \v, \f, \x1c–\x1e, \x85, \u2028, \u2029; no trailing empty line.</summary>
    public static List<string> SplitLines(string s)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                lines.Add(s[start..i]);
                if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
                start = i + 1;
            }
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    /// <summary>float(text): surrounding whitespace allowed, inf/infinity/nan in any case, digits with underscores.</summary>
    public static bool TryParseFloat(string text, out double value)
    {
        string t = Strip(text);
        string body = t.TrimStart('+', '-');
        bool negative = t.StartsWith('-');
        switch (body.ToLowerInvariant())
        {
            case "inf" or "infinity":
                value = negative ? double.NegativeInfinity : double.PositiveInfinity;
                return t.Length - body.Length <= 1;
            case "nan":
                value = double.NaN;
                return t.Length - body.Length <= 1;
        }
        if (t.Contains('_'))
        {
            if (t.StartsWith('_') || t.EndsWith('_') || t.Contains("__", StringComparison.Ordinal)) { value = 0; return false; }
            t = t.Replace("_", "", StringComparison.Ordinal);
        }
        foreach (char c in t)
            if (!(char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')) { value = 0; return false; }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && t.Length > 0;
    }
}
