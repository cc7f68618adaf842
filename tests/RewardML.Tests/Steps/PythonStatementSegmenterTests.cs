using RewardML.Steps;

namespace RewardML.Tests.Steps;

[TestClass]
public sealed class PythonStatementSegmenterTests
{
    private static readonly PythonStatementSegmenter Segmenter = new();

    private static void Segments(string code, params string[] expected) => StepAssert.Segments(Segmenter, code, expected);

    [TestMethod]
    public void EachSimpleStatementIsAStepThatEndsAfterItsNewline() =>
        Segments("import sys\nx = 1\nprint(x)\n", "import sys\n", "x = 1\n", "print(x)\n");

    [TestMethod]
    public void LastStatementWithoutNewlineEndsAtTheEnd() => Segments("x = 1\ny = 2", "x = 1\n", "y = 2");

    [TestMethod]
    public void NestedBracketsCarryAStatementOverLines() =>
        Segments("x = foo(1,\n      [2, {3: (4,\n 5)}])\ny = [\n  1,  # c )\n  2]\n",
            "x = foo(1,\n      [2, {3: (4,\n 5)}])\n", "y = [\n  1,  # c )\n  2]\n");

    [TestMethod]
    public void BackslashContinuesALine() => Segments("x = 1 + \\\n    2\ny = 3", "x = 1 + \\\n    2\n", "y = 3");

    [TestMethod]
    public void TripleQuotedStringsHideNewlinesCommentsAndQuotes() =>
        Segments("s = \"\"\"a\nb = 2 # not a comment\n' \" (\n\"\"\"\nt = '''x\n\"\"\"'''\nu = 1\n",
            "s = \"\"\"a\nb = 2 # not a comment\n' \" (\n\"\"\"\n", "t = '''x\n\"\"\"'''\n", "u = 1\n");

    [TestMethod]
    public void DocstringIsAStatement() =>
        Segments("def f():\n    \"\"\"Doc.\n\n    More.\n    \"\"\"\n    return 1\n",
            "def f():\n", "    \"\"\"Doc.\n\n    More.\n    \"\"\"\n", "    return 1\n");

    [TestMethod]
    public void HashAndBracketsInsideStringsAreText() =>
        Segments("s = '# ( ['\nt = \"a)\" + 'it\\'s (' \nu = 2\n", "s = '# ( ['\n", "t = \"a)\" + 'it\\'s (' \n", "u = 2\n");

    [TestMethod]
    public void StringPrefixesAndRawBackslashes() =>
        Segments("a = r'\\'('\nb = rb\"[\" + Rb'(' + BR\"{\"\nc = u'('\nd = 1\n",
            "a = r'\\'('\n", "b = rb\"[\" + Rb'(' + BR\"{\"\n", "c = u'('\n", "d = 1\n");

    [TestMethod]
    public void AnIdentifierEndingInAPrefixLetterIsNotAPrefix() =>
        // `bar'x'` is not valid Python, but the quote must still open a plain string, not an f-string.
        Segments("x = (bar'{'\n)\ny = 1\n", "x = (bar'{'\n)\n", "y = 1\n");

    [TestMethod]
    public void FStringFieldsWithNestedQuotesBracketsAndFormatSpecs() =>
        Segments("x = f\"{d[\"k\"]:>{w}} {{not a field}} {'#'} {a!r:{'('}}\"\ny = f'''{a\n+ b}'''\nz = F\"{ {'a': 1}['a'] }\"\nw = 2\n",
            "x = f\"{d[\"k\"]:>{w}} {{not a field}} {'#'} {a!r:{'('}}\"\n", "y = f'''{a\n+ b}'''\n",
            "z = F\"{ {'a': 1}['a'] }\"\n", "w = 2\n");

    [TestMethod]
    public void FStringFieldMaySpanLinesWithComments() =>
        Segments("s = f\"{', '.join([\n    'a',  # a comment with \" and }\n    'b'])}!\"\nn = 1\n",
            "s = f\"{', '.join([\n    'a',  # a comment with \" and }\n    'b'])}!\"\n", "n = 1\n");

    [TestMethod]
    public void LambdaAndSlicesInFieldsAreNotFormatSpecs() =>
        Segments("s = f\"{(lambda v: v)(x)} {x[1:2]}\"\nt = 1\n", "s = f\"{(lambda v: v)(x)} {x[1:2]}\"\n", "t = 1\n");

    [TestMethod]
    public void BlockHeadersAreTheirOwnSteps() =>
        Segments("def f(a,\n      b):\n    if a:\n        return a\n    else:\n        return b\n\nclass A:\n    pass\n",
            "def f(a,\n      b):\n", "    if a:\n", "        return a\n", "    else:\n", "        return b\n\n", "class A:\n", "    pass\n");

    [TestMethod]
    public void DecoratorsJoinTheDefinitionTheyDecorate() =>
        Segments("@cache\n@other(1,\n  2)\ndef f():\n    pass\nclass B:\n    @property\n    def x(self): return 1\n",
            "@cache\n@other(1,\n  2)\ndef f():\n", "    pass\n", "class B:\n", "    @property\n    def x(self): return 1\n");

    [TestMethod]
    public void MatrixMultiplyInsideAStatementIsNotADecorator() =>
        Segments("c = (a\n@ b)\nd = 1\n", "c = (a\n@ b)\n", "d = 1\n");

    [TestMethod]
    public void CompoundAndSemicolonStatementsOnOneLineStayOneStep() =>
        Segments("if x: y = 1; z = 2\nelse: pass\n", "if x: y = 1; z = 2\n", "else: pass\n");

    [TestMethod]
    public void CommentLinesJoinTheNextStatementAndBlankLinesThePreviousOne() =>
        Segments("# header\n\nx = 1  # trailing\n    # indented comment\ny = 2\n\n  \n# about z\nz = 3\n\n# tail\n\n",
            "# header\n\nx = 1  # trailing\n", "    # indented comment\ny = 2\n\n  \n", "# about z\nz = 3\n\n# tail\n\n");

    [TestMethod]
    public void BlankLinesWithCrLfJoinThePreviousStatement() =>
        Segments("x = 1\r\n\r\n\t\r\ny = 2\r\n", "x = 1\r\n\r\n\t\r\n", "y = 2\r\n");

    [TestMethod]
    public void WindowsAndOldMacLineEnds() =>
        Segments("x = (1,\r\n 2)\r\nif x:\r\n\ty = 1\r\nz = 3\rw = 4",
            "x = (1,\r\n 2)\r\n", "if x:\r\n", "\ty = 1\r\n", "z = 3\r", "w = 4");

    [TestMethod]
    public void BackslashContinuationWithCrLf() => Segments("x = 1 + \\\r\n  2\r\ny = 3\r\n", "x = 1 + \\\r\n  2\r\n", "y = 3\r\n");

    [TestMethod]
    public void TabsAndUnicodeIncludingAstralCharacters() =>
        Segments("s = '𝄞 ü'\nif s:\n\tπ = 3  # ∑ 😀\n\tprint(s, π, f\"{'𝄞'}\")",
            "s = '𝄞 ü'\n", "if s:\n", "\tπ = 3  # ∑ 😀\n", "\tprint(s, π, f\"{'𝄞'}\")");

    [TestMethod]
    [DataRow("")]
    [DataRow("   ")]
    [DataRow("\n\n\t\n")]
    [DataRow("# only a comment\n")]
    public void CodeWithoutStatementsIsOneStep(string code) => Segments(code, code);

    [TestMethod]
    public void UnterminatedStringEndsAtTheLineEnd() => Segments("x = 'abc\ny = 1\n", "x = 'abc\n", "y = 1\n");

    [TestMethod]
    public void UnclosedBracketRunsToTheEnd() => Segments("x = 1\nf(1,\ny = 2\n", "x = 1\n", "f(1,\ny = 2\n");

    [TestMethod]
    public void UnclosedTripleQuoteRunsToTheEnd() => Segments("x = 1\ns = '''abc\ny = 2\n", "x = 1\n", "s = '''abc\ny = 2\n");

    [TestMethod]
    public void StrayClosingBracketDoesNotSwallowLines() => Segments("x = 1)\ny = 2\n", "x = 1)\n", "y = 2\n");
}
