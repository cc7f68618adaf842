using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;

namespace RewardML.Tests.Scoring;

/// <summary>
/// "These two scored files are the same" where they come from different batchings (sharded vs unsharded, other
/// <c>--batch-rows</c>): the files are parsed (JSONL by line, CSV by record) and compared field by field. The fields
/// scoring computes in floats (<c>StepScores</c>, <c>Score</c>, <c>Probability</c>) are equal within
/// <see cref="ScoreTolerance"/>; every other field, the order of rows and of keys/columns, and the number of rows are
/// exact. For runs of the same batches (resume) compare bytes instead.
/// </summary>
internal static class ScoredFileAssert
{
    private static readonly Dictionary<string, double> FloatFields = new()
    {
        [RewardColumnNames.StepScores] = ScoreTolerance.Probability,
        [RewardColumnNames.Score] = ScoreTolerance.Logit,
        [RewardColumnNames.Probability] = ScoreTolerance.Probability,
    };

    /// <summary>Checks that <paramref name="actual"/> holds the rows of <paramref name="expected"/> (same format, by extension).</summary>
    public static void AreEquivalent(string expected, string actual, string what)
    {
        if (expected.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) AreEquivalentCsv(expected, actual, what);
        else AreEquivalentJsonl(expected, actual, what);
    }

    private static void AreEquivalentJsonl(string expected, string actual, string what)
    {
        var want = File.ReadAllLines(expected);
        var got = File.ReadAllLines(actual);
        Assert.HasCount(want.Length, got, $"{what}: lines of {actual} vs {expected}");
        for (int i = 0; i < want.Length; i++)
        {
            string where = $"{what}, line {i + 1}";
            var a = JsonNode.Parse(want[i])!.AsObject();
            var b = JsonNode.Parse(got[i])!.AsObject();
            CollectionAssert.AreEqual(a.Select(p => p.Key).ToList(), b.Select(p => p.Key).ToList(), $"{where}: keys");
            foreach (var (key, value) in a)
                Field(key, value, b[key], $"{where}, {key}");
        }
    }

    private static void AreEquivalentCsv(string expected, string actual, string what)
    {
        using var want = CsvReader.FromFile(expected);
        using var got = CsvReader.FromFile(actual);
        CollectionAssert.AreEqual(want.Headers.ToArray(), got.Headers.ToArray(), $"{what}: header");
        int record = 0;
        while (want.Read())
        {
            record++;
            Assert.IsTrue(got.Read(), $"{what}: {actual} ends before record {record}");
            for (int f = 0; f < want.Headers.Count; f++)
            {
                string name = want.Headers[f], where = $"{what}, record {record}, {name}";
                string? a = want.GetString(f), b = got.GetString(f);
                if (!FloatFields.ContainsKey(name) || a is null || b is null) Assert.AreEqual(a, b, where);
                else if (name == RewardColumnNames.StepScores) Field(name, JsonNode.Parse(a), JsonNode.Parse(b), where);
                else ScoreTolerance.AreClose(Number(a), Number(b), FloatFields[name], where);
            }
        }
        Assert.IsFalse(got.Read(), $"{what}: {actual} has more than {record} records");
    }

    private static void Field(string name, JsonNode? expected, JsonNode? actual, string where)
    {
        if (!FloatFields.TryGetValue(name, out double tolerance) || expected is null || actual is null)
        {
            Assert.IsTrue(JsonNode.DeepEquals(expected, actual), $"{where}: {actual?.ToJsonString()} vs {expected?.ToJsonString()}");
            return;
        }
        if (expected is JsonArray a)
        {
            var b = actual as JsonArray;
            Assert.IsNotNull(b, $"{where}: {actual.ToJsonString()} is not an array");
            Assert.HasCount(a.Count, b, $"{where}: {b.ToJsonString()} vs {a.ToJsonString()}");
            for (int i = 0; i < a.Count; i++) ScoreTolerance.AreClose(Value(a[i]), Value(b[i]), tolerance, $"{where}[{i}]");
        }
        else ScoreTolerance.AreClose(Value(expected), Value(actual), tolerance, where);
    }

    /// <summary>A JSON number, or NaN for <c>null</c> (how the writer spells a non-finite value).</summary>
    private static double Value(JsonNode? node) => node is null ? double.NaN
        : node.GetValueKind() == JsonValueKind.Number ? node.GetValue<double>()
        : throw new AssertFailedException($"expected a number or null, got {node.ToJsonString()}");

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
