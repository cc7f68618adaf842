using RewardML.Sandbox.Labelling;

namespace RewardML.Sandbox.Tests.Labelling;

/// <summary>
/// The exact comparison: what it forgives (trailing whitespace, trailing blank lines, a float within 1e-6), and the
/// wrong outputs the APPS cascade accepts and it rejects (issue 18's reward hacks).
/// </summary>
[TestClass]
public sealed class ExactComparerTests
{
    [TestMethod]
    [DataRow("5\n", "5", DisplayName = "final newline")]
    [DataRow("1 2   \n3 4\t\n\n\n", "1 2\n3 4\n", DisplayName = "trailing whitespace and blank lines")]
    [DataRow("a\r\nb\r\n", "a\nb", DisplayName = "CRLF lines")]
    [DataRow("0.3333333\n", "0.33333333333\n", DisplayName = "float within 1e-6")]
    [DataRow("1000000.5\n", "1000000.4999\n", DisplayName = "float within 1e-6 relative")]
    [DataRow("2 0.50000000\n", "2 0.5\n", DisplayName = "float token beside an integer token")]
    [DataRow("1e-7\n", "0.0\n", DisplayName = "float notation of the output is free where a float is expected")]
    public void Accepts(string stdout, string expected)
    {
        Assert.IsTrue(ExactComparer.Matches(stdout, expected));
    }

    [TestMethod]
    [DataRow("3 1 2\n", "1 2 3\n", DisplayName = "token order")]
    [DataRow("b\na\n", "a\nb\n", DisplayName = "line order")]
    [DataRow("YES\nNO\n", "YES\nNO\nYES\nNO\n", DisplayName = "repeated lines printed once")]
    [DataRow("500000000000000000000000\n", "500000000000500000000000\n", DisplayName = "n*n//2 for n(n+1)/2 at n = 1e12")]
    [DataRow("10.0\n", "10\n", DisplayName = "an integer is text")]
    [DataRow("007\n", "7\n", DisplayName = "leading zeros")]
    [DataRow("  5\n", "5\n", DisplayName = "leading whitespace")]
    [DataRow("\n5\n", "5\n", DisplayName = "a leading blank line")]
    [DataRow("1.0001 2\n", "1.00012 2\n", DisplayName = "float beyond 1e-6")]
    [DataRow("x 0.5\n", "y 0.5\n", DisplayName = "a text token beside a float")]
    [DataRow("nan\n", "0.5\n", DisplayName = "not a number where a float is expected")]
    [DataRow("", "5", DisplayName = "no output")]
    public void Rejects(string stdout, string expected)
    {
        Assert.IsFalse(ExactComparer.Matches(stdout, expected));
    }

    [TestMethod]
    [DataRow("3 1 2\n", "1 2 3\n")]
    [DataRow("YES\nNO\n", "YES\nNO\nYES\nNO\n")]
    [DataRow("500000000000000000000000\n", "500000000000500000000000\n")]
    public void TheApppsCascadeAcceptsTheseWrongOutputs(string stdout, string expected)
    {
        // The reason exact exists: the default comparison (kept for agreement with the official labels) passes them.
        Assert.IsTrue(StdoutComparer.Matches(stdout, expected));
        Assert.IsFalse(ExactComparer.Matches(stdout, expected));
    }
}
