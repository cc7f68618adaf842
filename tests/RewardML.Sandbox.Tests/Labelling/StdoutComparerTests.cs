using RewardML.Sandbox.Labelling;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>Each rule of the APPS stdout cascade, and what none of them accepts.</summary>
[TestClass]
public sealed class StdoutComparerTests
{
    [TestMethod]
    [DataRow("5\n", "5", DisplayName = "stripped text")]
    [DataRow("  1 2\n3 4  \n\n", "1 2\n3 4", DisplayName = "surrounding whitespace")]
    [DataRow("1 2   \n3 4\n", "1 2\n3 4\n", DisplayName = "trailing spaces per line")]
    [DataRow("a\r\nb\r\n", "a\nb", DisplayName = "CRLF lines")]
    [DataRow("a\n\nb\n", "a\nb\n", DisplayName = "empty output lines dropped")]
    [DataRow("0.3333333\n", "0.33333333333\n", DisplayName = "float within tolerance")]
    [DataRow("1e3\n2\n", "1000.0\n2.0\n", DisplayName = "float notation")]
    [DataRow("3 1 2\n", "1 2 3\n", DisplayName = "token order within a line")]
    [DataRow("b\na\n", "a\nb\n", DisplayName = "line order (token sets)")]
    [DataRow("1.0001 2\n", "1.00012 2.0\n", DisplayName = "tokens rounded to 3 decimals")]
    public void Accepts(string stdout, string expected) => Assert.IsTrue(StdoutComparer.Matches(stdout, expected));

    [TestMethod]
    [DataRow("6\n", "5", DisplayName = "different number")]
    [DataRow("", "5", DisplayName = "no output")]
    [DataRow("1 2\n", "1 2 3\n", DisplayName = "missing token")]
    [DataRow("0.33\n", "0.3333\n", DisplayName = "float beyond tolerance and rounding")]
    [DataRow("YES\n", "yes\n", DisplayName = "case matters")]
    [DataRow("1\n2\n", "1 2\n", DisplayName = "tokens on different lines")]
    [DataRow("12\n", "1 2\n", DisplayName = "tokens glued")]
    public void Rejects(string stdout, string expected) => Assert.IsFalse(StdoutComparer.Matches(stdout, expected));

    [TestMethod]
    public void DuplicateLinesCollapseAsInTheHarness()
    {
        // The harness's last rule compares sets of lines: a repeated line is not counted. Documented, kept on purpose.
        Assert.IsTrue(StdoutComparer.Matches("a\na\nb\n", "a\nb\n"));
    }

    [TestMethod]
    public void NonFiniteFloats()
    {
        Assert.IsTrue(StdoutComparer.Matches("inf\n", "Infinity\n"));
        Assert.IsFalse(StdoutComparer.Matches("nan\n", "1\n"));
    }
}
