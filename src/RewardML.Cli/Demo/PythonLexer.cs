namespace RewardML.Cli.Demo;

/// <summary>The kinds of token <see cref="PythonLexer"/> tells apart.</summary>
internal enum PyTokenKind
{
    /// <summary>An identifier or keyword.</summary>
    Name,
    /// <summary>A numeric literal.</summary>
    Number,
    /// <summary>A string literal with its prefix and quotes (f-strings are kept whole).</summary>
    String,
    /// <summary>An operator or delimiter.</summary>
    Op,
    /// <summary>A comment, <c>#</c> to the end of the line.</summary>
    Comment,
}

/// <summary>One token: its text and where it is (character offsets into the source, 0-based physical line).</summary>
internal sealed record PyToken(PyTokenKind Kind, string Text, int Start, int Line, int Depth)
{
    /// <summary>Offset just after the token.</summary>
    public int End => Start + Text.Length;

    public bool Is(string text) => Kind is PyTokenKind.Op or PyTokenKind.Name && Text == text;
}

/// <summary>A logical line: the physical lines it spans (first..last, inclusive), its indentation and its tokens.</summary>
internal sealed record PyLogicalLine(int FirstLine, int LastLine, string Indent, IReadOnlyList<PyToken> Tokens)
{
    /// <summary>The first token (a keyword for compound statements).</summary>
    public PyToken Head => Tokens[0];

    /// <summary>The last token that is not a comment.</summary>
    public PyToken Tail => Tokens.Last(t => t.Kind != PyTokenKind.Comment);

    /// <summary>True when the line opens an indented block (<c>if x:</c>, as opposed to <c>if x: return</c>).</summary>
    public bool OpensBlock => Tail.Is(":");
}

/// <summary>
/// A small Python lexer for the demo's mutation operators: enough of Python's lexical rules (string prefixes, triple
/// quotes, escapes, comments, brackets, backslash continuations) to find tokens and logical lines in the short, valid
/// programs it is given. It never throws: unterminated strings run to the end of the source.
/// </summary>
internal static class PythonLexer
{
    private static readonly string[] Operators =
    [
        "**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "<<", ">>", "<=", ">=", "==", "!=",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
    ];

    /// <summary>Python's keywords (3.11), except <c>True/False/None</c>, which are values.</summary>
    public static readonly IReadOnlySet<string> Keywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
        "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
        "raise", "return", "try", "while", "with", "yield",
    };

    /// <summary>The tokens of <paramref name="source"/>, comments included, in order.</summary>
    public static List<PyToken> Tokenize(string source)
    {
        var tokens = new List<PyToken>();
        int i = 0, line = 0, depth = 0;
        while (i < source.Length)
        {
            char c = source[i];
            if (c == '\n') { line++; i++; continue; }
            if (c is ' ' or '\t' or '\r' or '\f') { i++; continue; }
            if (c == '\\' && i + 1 < source.Length && source[i + 1] is '\n' or '\r') { i++; continue; }
            int start = i, startLine = line;
            if (c == '#')
            {
                while (i < source.Length && source[i] != '\n') i++;
                tokens.Add(new PyToken(PyTokenKind.Comment, source[start..i], start, startLine, depth));
                continue;
            }
            if (StringStart(source, i) is int quoteAt)
            {
                i = StringEnd(source, quoteAt, ref line);
                tokens.Add(new PyToken(PyTokenKind.String, source[start..i], start, startLine, depth));
                continue;
            }
            if (char.IsDigit(c) || (c == '.' && i + 1 < source.Length && char.IsDigit(source[i + 1])))
            {
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] is '_' or '.'
                       || (source[i] is '+' or '-' && source[i - 1] is 'e' or 'E' && !source[start..i].StartsWith("0x", StringComparison.OrdinalIgnoreCase))))
                    i++;
                tokens.Add(new PyToken(PyTokenKind.Number, source[start..i], start, startLine, depth));
                continue;
            }
            if (char.IsLetter(c) || c == '_' || c > 127)
            {
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_' || source[i] > 127)) i++;
                tokens.Add(new PyToken(PyTokenKind.Name, source[start..i], start, startLine, depth));
                continue;
            }
            string op = Operators.FirstOrDefault(o => string.CompareOrdinal(source, i, o, 0, o.Length) == 0) ?? c.ToString();
            if (op is ")" or "]" or "}") depth = Math.Max(0, depth - 1);
            tokens.Add(new PyToken(PyTokenKind.Op, op, start, startLine, depth));
            if (op is "(" or "[" or "{") depth++;
            i += op.Length;
        }
        return tokens;
    }

    /// <summary>
    /// The logical lines of <paramref name="source"/>: tokens grouped by statement (bracketed and backslash-continued
    /// physical lines joined; comment-only lines left out).
    /// </summary>
    public static List<PyLogicalLine> LogicalLines(string source)
    {
        var physical = source.Split('\n');
        var tokens = Tokenize(source);
        var lines = new List<PyLogicalLine>();
        var current = new List<PyToken>();
        for (int k = 0; k < tokens.Count; k++)
        {
            var t = tokens[k];
            if (current.Count == 0 && t.Kind == PyTokenKind.Comment) continue;
            current.Add(t);
            bool last = k + 1 == tokens.Count;
            if (last || EndsLogicalLine(source, t, tokens[k + 1]))
            {
                var first = current.First();
                string text = physical[first.Line];
                string indent = text[..(text.Length - text.TrimStart(' ', '\t').Length)];
                int lastLine = LastPhysicalLine(current.Last());
                lines.Add(new PyLogicalLine(first.Line, lastLine, indent, current));
                current = [];
            }
        }
        return lines;

        int LastPhysicalLine(PyToken t) => t.Line + t.Text.Count(ch => ch == '\n');
    }

    /// <summary>True when <paramref name="next"/> begins a new logical line after <paramref name="t"/>.</summary>
    private static bool EndsLogicalLine(string source, PyToken t, PyToken next)
    {
        if (next.Depth > 0 || (next.Kind == PyTokenKind.Op && next.Text is ")" or "]" or "}")) return false;
        int tEndLine = t.Line + t.Text.Count(ch => ch == '\n');
        if (next.Line == tEndLine) return false;
        // A backslash right before the line break continues the line.
        int lineEnd = source.IndexOf('\n', t.End);
        if (lineEnd > 0 && source[t.End..lineEnd].TrimEnd('\r', ' ', '\t').EndsWith('\\') && t.Kind != PyTokenKind.Comment) return false;
        return true;
    }

    /// <summary>Offset of the opening quote when a string literal (with an optional prefix) starts at <paramref name="i"/>.</summary>
    private static int? StringStart(string s, int i)
    {
        int j = i;
        while (j < s.Length && j - i < 2 && "rRbBuUfF".Contains(s[j])) j++;
        if (j < s.Length && s[j] is '\'' or '"') return j;
        return null;
    }

    private static int StringEnd(string s, int quoteAt, ref int line)
    {
        char q = s[quoteAt];
        bool triple = quoteAt + 2 < s.Length && s[quoteAt + 1] == q && s[quoteAt + 2] == q;
        int i = quoteAt + (triple ? 3 : 1);
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '\\') { if (i + 1 < s.Length && s[i + 1] == '\n') line++; i += 2; continue; }
            if (c == '\n')
            {
                if (!triple) return i; // unterminated: stop at the line end
                line++;
            }
            if (c == q && (!triple || (i + 2 < s.Length && s[i + 1] == q && s[i + 2] == q))) return i + (triple ? 3 : 1);
            i++;
        }
        return s.Length;
    }
}
