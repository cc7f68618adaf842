namespace RewardML.Steps;

/// <summary>
/// <see cref="StepStrategy.PythonStatements"/>: one step per logical line, found the way Python's tokenizer finds
/// them (a NEWLINE token outside brackets, strings and backslash continuations).
/// </summary>
/// <remarks>
/// <para>Rules: a step ends after the line terminator of its statement's last line. Brackets (<c>()[]{}</c>),
/// backslash continuations and string literals carry a statement over lines; strings may be triple-quoted and carry
/// prefixes (<c>r b u f t</c>, e.g. <c>rb</c>, <c>Rf</c>); in f-strings <c>{{</c>/<c>}}</c> are literal braces and a
/// replacement field is code again (nested brackets, nested strings with the same quote as in Python 3.12, a format
/// spec after <c>:</c> that can hold fields of its own). A <c>#</c> outside strings starts a comment.</para>
/// <para>A block header is a logical line of its own, so it is its own step; simple statements after the colon on
/// the same line (<c>if x: y = 1</c>) and statements joined by <c>;</c> stay in that one step. A decorator line
/// joins the step of the definition header below it (<c>@cache\ndef f(n):</c> is one step): a decorator alone is
/// not a program state worth scoring. Blank lines right after a statement join its step; comment-only lines (and blank
/// lines before the first statement) join the step that follows them; whatever follows the last statement joins
/// the last step.</para>
/// <para>Invalid code never throws: an unclosed bracket or triple-quoted string runs to the end of the code, and a
/// single-quoted string that meets a line end is closed there (as a recovering tokenizer would).</para>
/// </remarks>
internal sealed class PythonStatementSegmenter : IStepSegmenter
{
    public IReadOnlyList<int> Segment(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return new Scanner(code).Run();
    }

    private enum FrameKind { String, Field, FormatSpec }

    /// <summary>A string literal, an f-string replacement field (code with its own bracket depth) or a format spec.</summary>
    private sealed class Frame(FrameKind kind)
    {
        public FrameKind Kind { get; } = kind;
        public char Quote { get; init; }
        public bool Triple { get; init; }
        public bool Formatted { get; init; }
        public int Depth { get; set; }
    }

    private sealed class Scanner(string code)
    {
        private readonly StepEndCollector _ends = new(code);
        private readonly Stack<Frame> _frames = new();
        private int _depth;
        private bool _lineHasContent;
        private bool _lineIsDecorator;
        private int _i;

        public IReadOnlyList<int> Run()
        {
            while (_i < code.Length)
            {
                if (_frames.Count == 0 || _frames.Peek().Kind == FrameKind.Field) ScanCode();
                else if (_frames.Peek().Kind == FrameKind.String) ScanString(_frames.Peek());
                else ScanFormatSpec();
            }
            return _ends.Finish();
        }

        /// <summary>The replacement field being scanned as code, or null at the top level (ScanCode runs in no other frame).</summary>
        private Frame? CurrentField => _frames.Count > 0 ? _frames.Peek() : null;

        private void ScanCode()
        {
            char c = code[_i];
            int terminator = SourceLines.TerminatorLength(code, _i);
            if (terminator > 0)
            {
                _i += terminator;
                if (_frames.Count == 0 && _depth == 0) EndLogicalLine();
                return;
            }
            if (c == '#')
            {
                while (_i < code.Length && SourceLines.TerminatorLength(code, _i) == 0) _i++;
                return;
            }
            if (c == '\\' && _i + 1 < code.Length && SourceLines.TerminatorLength(code, _i + 1) > 0)
            {
                _i += 1 + SourceLines.TerminatorLength(code, _i + 1);
                return;
            }
            if (!char.IsWhiteSpace(c)) MarkContent(c);
            if (c is '\'' or '"')
            {
                OpenString(c);
                return;
            }
            _i++;
            var field = CurrentField;
            switch (c)
            {
                case '(' or '[' or '{':
                    if (field is null) _depth++;
                    else field.Depth++;
                    break;
                case ')' or ']' or '}':
                    if (field is null) _depth = Math.Max(0, _depth - 1);
                    else if (field.Depth > 0) field.Depth--;
                    else if (c == '}') _frames.Pop(); // end of the replacement field
                    break;
                case ':' when field is { Depth: 0 }:
                    _frames.Push(new Frame(FrameKind.FormatSpec));
                    break;
            }
        }

        private void OpenString(char quote)
        {
            string prefix = StringPrefixBefore(_i);
            bool triple = _i + 2 < code.Length && code[_i + 1] == quote && code[_i + 2] == quote;
            _frames.Push(new Frame(FrameKind.String)
            {
                Quote = quote,
                Triple = triple,
                Formatted = prefix.Contains('f', StringComparison.OrdinalIgnoreCase) || prefix.Contains('t', StringComparison.OrdinalIgnoreCase),
            });
            _i += triple ? 3 : 1;
        }

        private void ScanString(Frame s)
        {
            char c = code[_i];
            if (c == '\\')
            {
                // An escape, or in a raw string a backslash that still keeps the next quote from closing the string.
                _i += _i + 1 < code.Length ? 1 + Math.Max(1, SourceLines.TerminatorLength(code, _i + 1)) : 1;
                return;
            }
            if (s.Formatted && c is '{' or '}')
            {
                if (_i + 1 < code.Length && code[_i + 1] == c) _i += 2; // {{ or }}: a literal brace
                else
                {
                    _i++;
                    if (c == '{') _frames.Push(new Frame(FrameKind.Field));
                }
                return;
            }
            if (c == s.Quote)
            {
                if (!s.Triple)
                {
                    _frames.Pop();
                    _i++;
                }
                else if (_i + 2 < code.Length && code[_i + 1] == c && code[_i + 2] == c)
                {
                    _frames.Pop();
                    _i += 3;
                }
                else _i++;
                return;
            }
            if (!s.Triple && SourceLines.TerminatorLength(code, _i) > 0)
            {
                _frames.Pop(); // unterminated single-quoted string: close it at the line end and let code see the newline
                return;
            }
            _i++;
        }

        private void ScanFormatSpec()
        {
            char c = code[_i++];
            if (c == '{') _frames.Push(new Frame(FrameKind.Field));
            else if (c == '}')
            {
                _frames.Pop(); // the format spec
                _frames.Pop(); // and the replacement field it belongs to
            }
        }

        private void MarkContent(char first)
        {
            if (!_lineHasContent && _frames.Count == 0)
            {
                _lineHasContent = true;
                _lineIsDecorator = first == '@' && _depth == 0;
            }
            _ends.MarkContent();
        }

        private void EndLogicalLine()
        {
            if (_lineHasContent && !_lineIsDecorator) _ends.EndStepAt(_i);
            _lineHasContent = false;
            _lineIsDecorator = false;
        }

        /// <summary>The string prefix (r, b, f, rb, ...) written right before the quote at <paramref name="quote"/>, or "".</summary>
        private string StringPrefixBefore(int quote)
        {
            int start = quote;
            while (start > 0 && quote - start < 2 && char.IsAsciiLetter(code[start - 1])) start--;
            if (start > 0 && IsIdentifierChar(code[start - 1])) return "";
            string prefix = code[start..quote].ToLowerInvariant();
            return prefix is "" or "r" or "u" or "b" or "f" or "t" or "br" or "rb" or "fr" or "rf" or "tr" or "rt" ? prefix : "";
        }

        private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_' || char.IsSurrogate(c);
    }
}
