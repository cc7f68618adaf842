using System.Text;
using RewardML.Cli.Training;
using RewardML.Data;

namespace RewardML.Tests.Data;

/// <summary>
/// The row readers that train and export read with: bytes that are not text (invalid UTF-8, a lone surrogate escape)
/// are one bad row each with its line, an unclosed CSV quote says where it opened, and a wrong-length step_targets names
/// its file and line; the other rows are read.
/// </summary>
[TestClass]
public sealed class BadBytesRowsTests
{
    [TestMethod]
    public void InvalidUtf8AndALoneSurrogateAreOneBadRowEachWithTheirLines()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.jsonl", "");
        var bytes = new List<byte>();
        void Line(string text) => bytes.AddRange(Encoding.UTF8.GetBytes(text + "\n"));
        Line("{\"prompt\": \"p\", \"code\": \"print(1)\", \"label\": true}");
        Line("{\"prompt\": \"\\udc00\", \"code\": \"print(2)\", \"label\": true}");
        bytes.AddRange(Encoding.UTF8.GetBytes("{\"prompt\": \"p\", \"code\": \"print('"));
        bytes.AddRange(new byte[] { 0xFF, 0xFE });
        Line("')\", \"label\": false}");
        Line("{\"prompt\": \"p\", \"code\": \"print(4)\", \"label\": false}");
        File.WriteAllBytes(path, [.. bytes]);

        var bad = new List<BadRow>();
        var read = RewardRowLoader.ReadJsonl(path, badRows: bad);
        CollectionAssert.AreEqual(new[] { "print(1)", "print(4)" }, read.Rows.Select(r => r.Code).ToArray(), "the good rows");
        Assert.HasCount(2, bad, string.Join("\n", bad));
        Assert.AreEqual(2, bad[0].Line);
        StringAssert.Contains(bad[0].ToString(), "lone UTF-16 surrogate");
        StringAssert.Contains(bad[0].ToString(), path, "the file is named");
        Assert.AreEqual(3, bad[1].Line);
        StringAssert.Contains(bad[1].ToString(), "invalid UTF-8 at byte 33");
    }

    [TestMethod]
    public void AnUnclosedCsvQuoteSaysOnWhichLineItOpened()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.csv", "prompt,code,label\np,print(1),true\np,\"print(2),true\np,print(3),false\np,print(4),true\n");
        var bad = new List<BadRow>();
        var read = RewardRowLoader.ReadCsv(path, badRows: bad);
        Assert.HasCount(1, read.Rows);
        Assert.HasCount(1, bad);
        StringAssert.Contains(bad[0].ToString(), "the quote opened on line 3 never closes, so lines 3-5 were read as one field");
    }

    [TestMethod]
    public void StepTargetsOfTheWrongLengthSkipTheRowNamingFileAndLine()
    {
        using var files = new TempFiles();
        string path = files.Write("rows.jsonl",
            "{\"prompt\": \"p\", \"code\": \"a = 1\\nprint(a)\\n\", \"label\": true, \"step_targets\": [0.5, 1]}\n" +
            "{\"prompt\": \"p\", \"code\": \"a = 1\\nprint(a)\\n\", \"label\": true, \"step_targets\": [0.5, 1, 1]}\n" +
            "{\"prompt\": \"p\", \"code\": \"print(2)\\n\", \"label\": false, \"step_targets\": [0]}\n");
        var result = TrainingRowsReader.Read(path, null, null, code => code.Count(c => c == '\n'));
        Assert.HasCount(2, result.Rows, "the other rows are kept");
        Assert.HasCount(1, result.Problems);
        StringAssert.Contains(result.Problems[0], $"{path}:2: step_targets has 3 values but the program has 2 steps");
    }
}
