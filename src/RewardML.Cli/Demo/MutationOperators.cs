using System.Globalization;
using System.Text;

namespace RewardML.Cli.Demo;

/// <summary>One mutant of a program: the operator that made it, the new source and what was changed (1-based line).</summary>
internal sealed record Mutant(string Operator, string Code, int Line, string Change);

/// <summary>
/// A mutation operator of the demo: lists every mutant of a Python program it can make, in source order. Operators
/// work on <see cref="PythonLexer"/> tokens and logical lines (never inside strings or comments) and only make
/// programs that differ from the input in their tokens; whether a mutant fails is for the sandbox to decide.
/// </summary>
internal abstract class MutationOperator
{
    /// <summary>The operator's name, as written in the candidates' <c>mutation</c> field.</summary>
    public abstract string Name { get; }

    /// <summary>Every mutant of <paramref name="code"/>; <paramref name="callBased"/> tells a function from a stdin program.</summary>
    public abstract IEnumerable<Mutant> Enumerate(string code, bool callBased);

    /// <summary>Replaces <paramref name="length"/> characters at <paramref name="start"/>.</summary>
    protected Mutant Edit(string code, int start, int length, string replacement, int line, string change) =>
        new(Name, string.Concat(code.AsSpan(0, start), replacement, code.AsSpan(start + length)), line + 1, change);

    /// <summary>True when the token before <paramref name="index"/> ends an operand, so the token there is a binary operator.</summary>
    protected static bool FollowsOperand(List<PyToken> tokens, int index)
    {
        for (int k = index - 1; k >= 0; k--)
        {
            var t = tokens[k];
            if (t.Kind == PyTokenKind.Comment) continue;
            return t.Kind switch
            {
                PyTokenKind.Number or PyTokenKind.String => true,
                PyTokenKind.Name => !PythonLexer.Keywords.Contains(t.Text),
                _ => t.Text is ")" or "]" or "}",
            };
        }
        return false;
    }

    /// <summary>Index of the bracket that closes the one at <paramref name="open"/>, or -1.</summary>
    protected static int Closing(List<PyToken> tokens, int open)
    {
        int depth = 0;
        for (int k = open; k < tokens.Count; k++)
        {
            if (tokens[k].Kind != PyTokenKind.Op) continue;
            if (tokens[k].Text is "(" or "[" or "{") depth++;
            else if (tokens[k].Text is ")" or "]" or "}" && --depth == 0) return k;
        }
        return -1;
    }

    /// <summary>The top-level arguments between the brackets at <paramref name="open"/> and <paramref name="close"/>, as token index ranges.</summary>
    protected static List<(int First, int Last)> Arguments(List<PyToken> tokens, int open, int close)
    {
        var args = new List<(int, int)>();
        int depth = tokens[open].Depth + 1, first = open + 1;
        for (int k = open + 1; k <= close; k++)
        {
            var t = tokens[k];
            if (k == close || (t.Kind == PyTokenKind.Op && t.Text == "," && t.Depth == depth))
            {
                if (k > first) args.Add((first, k - 1));
                first = k + 1;
            }
        }
        return args;
    }
}

/// <summary>The demo's operators, in a fixed order (the order of the docs).</summary>
internal static class MutationOperators
{
    public static readonly IReadOnlyList<MutationOperator> All =
    [
        new OffByOneOperator(),
        new FlippedComparisonOperator(),
        new WrongArithmeticOperator(),
        new DroppedEdgeCaseOperator(),
        new WrongOutputFormatOperator(),
    ];

    /// <summary>The operator called <paramref name="name"/>.</summary>
    public static MutationOperator Get(string name) => All.FirstOrDefault(o => o.Name == name)
        ?? throw new ArgumentException($"no mutation operator {name}; known: {string.Join(", ", All.Select(o => o.Name))}", nameof(name));

    /// <summary>
    /// The program's logical lines as indentation width + tokens without comments: equal for programs that differ only
    /// in spacing inside lines, line breaks inside brackets, blank lines and comments (not in indentation, which Python reads).
    /// </summary>
    public static string TokenText(string code) =>
        string.Join('\n', PythonLexer.LogicalLines(code).Select(l =>
            $"{l.Indent.Length}:{string.Join(' ', l.Tokens.Where(t => t.Kind != PyTokenKind.Comment).Select(t => t.Text))}"));
}

/// <summary>
/// <c>off-by-one</c>: an integer literal ±1 (<c>n - 1</c> → <c>n - 2</c>, <c>a[0]</c> → <c>a[1]</c>; 0 only goes up), or the
/// stop bound of a <c>range(...)</c> call ±1 (<c>range(n)</c> → <c>range(n + 1)</c>; bounds that already end in
/// <c>± literal</c> are left to the literal rule).
/// </summary>
internal sealed class OffByOneOperator : MutationOperator
{
    public override string Name => "off-by-one";

    public override IEnumerable<Mutant> Enumerate(string code, bool callBased)
    {
        var tokens = PythonLexer.Tokenize(code);
        for (int k = 0; k < tokens.Count; k++)
        {
            var t = tokens[k];
            if (t.Kind == PyTokenKind.Number && t.Text.All(char.IsAsciiDigit) && (t.Text == "0" || t.Text[0] != '0')
                && System.Numerics.BigInteger.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                yield return Edit(code, t.Start, t.Text.Length, (value + 1).ToString(CultureInfo.InvariantCulture), t.Line, $"{t.Text} → {value + 1}");
                if (value > 0)
                    yield return Edit(code, t.Start, t.Text.Length, (value - 1).ToString(CultureInfo.InvariantCulture), t.Line, $"{t.Text} → {value - 1}");
            }
            if (t.Kind == PyTokenKind.Name && t.Text == "range" && k + 1 < tokens.Count && tokens[k + 1].Is("(")
                && (k == 0 || !tokens[k - 1].Is(".")))
            {
                int close = Closing(tokens, k + 1);
                if (close < 0) continue;
                var args = Arguments(tokens, k + 1, close);
                if (args.Count is 0 or > 3) continue;
                var (first, last) = args[args.Count == 1 ? 0 : 1];
                bool endsInLiteral = last - 1 > first && tokens[last].Kind == PyTokenKind.Number && tokens[last - 1].Text is "+" or "-";
                if (endsInLiteral) continue;
                string bound = code[tokens[first].Start..tokens[last].End];
                yield return Edit(code, tokens[last].End, 0, " + 1", t.Line, $"range bound {bound} → {bound} + 1");
                yield return Edit(code, tokens[last].End, 0, " - 1", t.Line, $"range bound {bound} → {bound} - 1");
            }
        }
    }
}

/// <summary><c>flipped-comparison</c>: <c>&lt;</c> ↔ <c>&lt;=</c>, <c>&gt;</c> ↔ <c>&gt;=</c>, <c>==</c> ↔ <c>!=</c>.</summary>
internal sealed class FlippedComparisonOperator : MutationOperator
{
    private static readonly Dictionary<string, string> Flip = new()
    {
        ["<"] = "<=", ["<="] = "<", [">"] = ">=", [">="] = ">", ["=="] = "!=", ["!="] = "==",
    };

    public override string Name => "flipped-comparison";

    public override IEnumerable<Mutant> Enumerate(string code, bool callBased)
    {
        foreach (var t in PythonLexer.Tokenize(code))
            if (t.Kind == PyTokenKind.Op && Flip.TryGetValue(t.Text, out var to))
                yield return Edit(code, t.Start, t.Text.Length, to, t.Line, $"{t.Text} → {to}");
    }
}

/// <summary>
/// <c>wrong-operator</c>: a binary <c>+</c> ↔ <c>-</c>, <c>*</c> ↔ <c>//</c>, and the same for <c>+=</c>, <c>-=</c>,
/// <c>*=</c>, <c>//=</c>. Unary signs and unpacking stars (<c>print(*a)</c>, <c>def f(*args)</c>) are left alone.
/// </summary>
internal sealed class WrongArithmeticOperator : MutationOperator
{
    private static readonly Dictionary<string, string> Swap = new()
    {
        ["+"] = "-", ["-"] = "+", ["*"] = "//", ["//"] = "*", ["+="] = "-=", ["-="] = "+=", ["*="] = "//=", ["//="] = "*=",
    };

    public override string Name => "wrong-operator";

    public override IEnumerable<Mutant> Enumerate(string code, bool callBased)
    {
        var tokens = PythonLexer.Tokenize(code);
        for (int k = 0; k < tokens.Count; k++)
        {
            var t = tokens[k];
            if (t.Kind != PyTokenKind.Op || !Swap.TryGetValue(t.Text, out var to)) continue;
            if (!t.Text.EndsWith('=') && !FollowsOperand(tokens, k)) continue;
            yield return Edit(code, t.Start, t.Text.Length, to, t.Line, $"{t.Text} → {to}");
        }
    }
}

/// <summary>
/// <c>dropped-edge-case</c>: removes an <c>if</c> or <c>elif</c> branch whose body ends the program, the function or
/// the loop iteration early or prints (<c>return</c>, <c>print</c>, <c>exit()</c>, <c>quit()</c>, <c>break</c>,
/// <c>continue</c>, <c>raise</c>). A following <c>elif</c> becomes the <c>if</c>; a following <c>else</c> body takes
/// the branch's place (dedented); a block left empty gets <c>pass</c>.
/// </summary>
internal sealed class DroppedEdgeCaseOperator : MutationOperator
{
    private static readonly HashSet<string> EarlyExits = ["return", "print", "exit", "quit", "break", "continue", "raise"];

    public override string Name => "dropped-edge-case";

    public override IEnumerable<Mutant> Enumerate(string code, bool callBased)
    {
        var physical = code.Split('\n');
        var lines = PythonLexer.LogicalLines(code);
        for (int k = 0; k < lines.Count; k++)
        {
            var branch = lines[k];
            if (!branch.Head.Is("if") && !branch.Head.Is("elif")) continue;
            int bodyEnd = BlockEnd(lines, k);
            var bodyTokens = branch.OpensBlock
                ? lines.Skip(k + 1).Take(bodyEnd - k).SelectMany(l => l.Tokens)
                : branch.Tokens.SkipWhile(t => !(t.Is(":") && t.Depth == 0)).Skip(1);
            if (!bodyTokens.Any(t => t.Kind == PyTokenKind.Name && EarlyExits.Contains(t.Text))) continue;

            int firstRemoved = branch.FirstLine, lastRemoved = LastLineOf(lines, bodyEnd);
            var replacement = new List<string>();
            string change = $"dropped the {branch.Head.Text} branch `{Clip(physical[branch.FirstLine].Trim())}`";
            var next = bodyEnd + 1 < lines.Count ? lines[bodyEnd + 1] : null;
            bool sameLevel = next is not null && next.Indent == branch.Indent;
            if (branch.Head.Is("if") && sameLevel && next!.Head.Is("elif"))
            {
                // The elif becomes the if: rewrite its keyword in place and keep the rest of the chain.
                replacement.Add(string.Concat(physical[next.FirstLine].AsSpan(0, next.Head.Start - LineStart(code, next.FirstLine)), "if",
                    physical[next.FirstLine].AsSpan(next.Head.Start - LineStart(code, next.FirstLine) + 4)));
                lastRemoved = next.FirstLine;
            }
            else if (branch.Head.Is("if") && sameLevel && next!.Head.Is("else"))
            {
                int elseEnd = BlockEnd(lines, bodyEnd + 1);
                if (next.OpensBlock)
                {
                    if (elseEnd == bodyEnd + 1) continue;
                    string bodyIndent = lines[bodyEnd + 2].Indent;
                    for (int p = lines[bodyEnd + 2].FirstLine; p <= LastLineOf(lines, elseEnd); p++)
                        replacement.Add(physical[p].StartsWith(bodyIndent, StringComparison.Ordinal) && bodyIndent.Length >= branch.Indent.Length
                            ? branch.Indent + physical[p][bodyIndent.Length..]
                            : physical[p]);
                }
                else
                {
                    var colon = next.Tokens.First(t => t.Is(":"));
                    replacement.Add(branch.Indent + code[colon.End..LineEndOffset(code, next.LastLine)].Trim());
                }
                lastRemoved = LastLineOf(lines, elseEnd);
                change += " (its else body stays)";
            }
            else if (BlockWouldBeEmpty(lines, k, bodyEnd, branch.Indent))
            {
                replacement.Add(branch.Indent + "pass");
            }
            var result = physical.Take(firstRemoved).Concat(replacement).Concat(physical.Skip(lastRemoved + 1));
            yield return new Mutant(Name, string.Join('\n', result), branch.FirstLine + 1, change);
        }
    }

    /// <summary>Index of the last logical line of the block opened at <paramref name="k"/> (k itself for a one-line statement).</summary>
    private static int BlockEnd(List<PyLogicalLine> lines, int k)
    {
        if (!lines[k].OpensBlock) return k;
        int end = k;
        while (end + 1 < lines.Count && lines[end + 1].Indent.Length > lines[k].Indent.Length) end++;
        return end;
    }

    private static int LastLineOf(List<PyLogicalLine> lines, int k) => lines[k].LastLine;

    /// <summary>True when the branch at <paramref name="k"/>..<paramref name="end"/> is the only statement of its enclosing block.</summary>
    private static bool BlockWouldBeEmpty(List<PyLogicalLine> lines, int k, int end, string indent) =>
        indent.Length > 0
        && (k == 0 || lines[k - 1].Indent.Length < indent.Length)
        && (end + 1 >= lines.Count || lines[end + 1].Indent.Length < indent.Length);

    private static int LineStart(string code, int line)
    {
        int offset = 0;
        for (int i = 0; i < line; i++) offset = code.IndexOf('\n', offset) + 1;
        return offset;
    }

    private static int LineEndOffset(string code, int line)
    {
        int start = LineStart(code, line), end = code.IndexOf('\n', start);
        return end < 0 ? code.Length : end;
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..57] + "...";
}

/// <summary>
/// <c>wrong-output-format</c>: output the APPS comparison rejects although the values are right. Stdin programs:
/// <c>' '.join</c> ↔ <c>'\n'.join</c> (and <c>''.join</c> → <c>' '.join</c>); <c>print(*xs)</c> → <c>print(xs)</c> (a
/// list's repr); <c>print(a, b)</c> → <c>print(a, b, sep=',')</c>; a word literal inside <c>print(...)</c> in the other
/// case (<c>"YES"</c> → <c>"yes"</c>, <c>"Yes"</c> → <c>"YES"</c>). Call-based programs: <c>return x</c> →
/// <c>return str(x)</c>, and the word-literal rule in returns.
/// </summary>
internal sealed class WrongOutputFormatOperator : MutationOperator
{
    public override string Name => "wrong-output-format";

    public override IEnumerable<Mutant> Enumerate(string code, bool callBased)
    {
        var tokens = PythonLexer.Tokenize(code);
        var lines = PythonLexer.LogicalLines(code);
        for (int k = 0; k < tokens.Count; k++)
        {
            var t = tokens[k];
            // Separator literals of str.join.
            if (t.Kind == PyTokenKind.String && k + 2 < tokens.Count && tokens[k + 1].Is(".") && tokens[k + 2].Is("join")
                && SeparatorSwap(t.Text) is { } sep)
                yield return Edit(code, t.Start, t.Text.Length, sep, t.Line, $"{t.Text}.join → {sep}.join");

            if (!callBased && t.Is("print") && k + 1 < tokens.Count && tokens[k + 1].Is("(") && (k == 0 || !tokens[k - 1].Is(".")))
            {
                int close = Closing(tokens, k + 1);
                if (close < 0) continue;
                var args = Arguments(tokens, k + 1, close);
                bool hasKeywords = args.Any(a => a.Last > a.First && tokens[a.First + 1].Is("="));
                if (args.Count == 1 && tokens[args[0].First].Is("*"))
                    yield return Edit(code, tokens[args[0].First].Start, 1, "", t.Line, "print(*xs) → print(xs)");
                else if (args.Count >= 2 && !hasKeywords && !args.Any(a => tokens[a.First].Is("*")))
                    yield return Edit(code, tokens[close].Start, 0, ", sep=','", t.Line, "print(a, b) → print(a, b, sep=',')");
                for (int j = k + 2; j < close; j++)
                    if (WordCaseSwap(tokens[j]) is { } word)
                        yield return Edit(code, tokens[j].Start, tokens[j].Text.Length, word, tokens[j].Line, $"{tokens[j].Text} → {word}");
            }
        }
        if (!callBased) yield break;
        foreach (var line in lines)
        {
            if (!line.Head.Is("return") || line.Tokens.Count < 2) continue;
            int first = 1, last = line.Tokens.Count - 1;
            while (line.Tokens[last].Kind == PyTokenKind.Comment) last--;
            var lineTokens = line.Tokens.ToList();
            for (int j = first; j <= last; j++)
                if (WordCaseSwap(lineTokens[j]) is { } word)
                    yield return Edit(code, lineTokens[j].Start, lineTokens[j].Text.Length, word, lineTokens[j].Line, $"{lineTokens[j].Text} → {word}");
            string value = code[lineTokens[first].Start..lineTokens[last].End];
            yield return new Mutant(Name, string.Concat(code.AsSpan(0, lineTokens[first].Start), $"str({value})", code.AsSpan(lineTokens[last].End)),
                line.FirstLine + 1, $"return {Clip(value)} → return str({Clip(value)})");
        }
    }

    /// <summary><c>' '</c> → <c>'\n'</c>, <c>'\n'</c> and <c>''</c> → <c>' '</c>, keeping the quote; null for other separators.</summary>
    private static string? SeparatorSwap(string literal)
    {
        if (literal.Length < 2 || literal[0] is not ('\'' or '"')) return null;
        char q = literal[0];
        return literal[1..^1] switch
        {
            " " => $"{q}\\n{q}",
            "\\n" or "" => $"{q} {q}",
            _ => null,
        };
    }

    /// <summary>A plain word literal (letters only, 2+) in the other case: all-lower or mixed → upper, all-upper → lower.</summary>
    private static string? WordCaseSwap(PyToken t)
    {
        if (t.Kind != PyTokenKind.String || t.Text.Length < 4 || t.Text[0] is not ('\'' or '"') || t.Text[^1] != t.Text[0]) return null;
        string body = t.Text[1..^1];
        if (body.Length < 2 || !body.All(char.IsAsciiLetter)) return null;
        string swapped = body.All(char.IsAsciiLetterUpper) ? body.ToLowerInvariant() : body.ToUpperInvariant();
        return swapped == body ? null : t.Text[0] + swapped + t.Text[0];
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
