using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Transforms;

namespace RewardML.Tests.Transforms;

[TestClass]
public sealed class RowMappingTransformerTests
{
    private static readonly string[] Codes =
    [
        "print(1)", "x = input()", "", "def f(a, b):  return a+b", "pass", "for i in range(3): print(i)", "é 𝄞 ok",
    ];

    public sealed class InputRow
    {
        public string ProblemId { get; set; } = "";
        public string Code { get; set; } = "";
        public bool Label { get; set; }
        [VectorType] public float[] Targets { get; set; } = [];
    }

    public sealed class OutputRow
    {
        public string ProblemId { get; set; } = "";
        public string Code { get; set; } = "";
        public bool Label { get; set; }
        public float[] Targets { get; set; } = [];
        public string Upper { get; set; } = "";
        public string[] Words { get; set; } = [];
        public int[] WordLengths { get; set; } = [];
        public float[] HalfLengths { get; set; } = [];
        public float Length { get; set; }
        public bool HasDigit { get; set; }
    }

    private static IDataView Input(MLContext ml, int count = 7) =>
        ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new InputRow
        {
            ProblemId = $"p{i}",
            Code = Codes[i % Codes.Length],
            Label = i % 2 == 0,
            Targets = Enumerable.Range(0, i).Select(k => k / 10f).ToArray(),
        }));

    private static void AssertRowsMapped(IReadOnlyList<OutputRow> rows, int count)
    {
        Assert.HasCount(count, rows);
        for (int i = 0; i < count; i++)
        {
            var row = rows[i];
            string code = Codes[i % Codes.Length];
            string[] words = code.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.AreEqual($"p{i}", row.ProblemId, "input columns pass through in order");
            Assert.AreEqual(code, row.Code);
            Assert.AreEqual(i % 2 == 0, row.Label);
            CollectionAssert.AreEqual(Enumerable.Range(0, i).Select(k => k / 10f).ToArray(), row.Targets);
            Assert.AreEqual(code.ToUpperInvariant(), row.Upper);
            CollectionAssert.AreEqual(words, row.Words);
            CollectionAssert.AreEqual(words.Select(w => w.Length).ToArray(), row.WordLengths);
            CollectionAssert.AreEqual(words.Select(w => w.Length / 2f).ToArray(), row.HalfLengths);
            Assert.AreEqual((float)code.Length, row.Length);
            Assert.AreEqual(code.Any(char.IsAsciiDigit), row.HasDigit);
        }
    }

    [TestMethod]
    public void RowByRowTransformAddsEveryColumnKindAndPassesInputsThrough()
    {
        var ml = new MLContext(seed: 1);
        var transformer = new ProbeTransformer();
        var rows = ml.Data.CreateEnumerable<OutputRow>(transformer.Transform(Input(ml)), reuseRowObject: false).ToList();
        AssertRowsMapped(rows, 7);
        Assert.IsTrue(transformer.BlockSizes.All(size => size == 1));
    }

    [TestMethod]
    [DataRow(3, 7)]
    [DataRow(4, 8)]
    [DataRow(16, 5)]
    public void BlockMapperReceivesBlocksAndRowsStayAligned(int blockSize, int rowCount)
    {
        var ml = new MLContext(seed: 1);
        var transformer = new ProbeTransformer(blockSize: blockSize);
        var rows = ml.Data.CreateEnumerable<OutputRow>(transformer.Transform(Input(ml, rowCount)), reuseRowObject: false).ToList();
        AssertRowsMapped(rows, rowCount);

        var expectedBlocks = Enumerable.Range(0, (rowCount + blockSize - 1) / blockSize)
            .Select(b => Math.Min(blockSize, rowCount - b * blockSize)).ToArray();
        CollectionAssert.AreEqual(expectedBlocks, transformer.BlockSizes.ToArray());
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    public void CursorPositionsAndIdsMatchTheInput(int blockSize)
    {
        var ml = new MLContext(seed: 1);
        var input = Input(ml);
        var output = new ProbeTransformer(blockSize: blockSize).Transform(input);

        var inputIds = new List<DataViewRowId>();
        using (var cursor = input.GetRowCursor([]))
        {
            var id = cursor.GetIdGetter();
            while (cursor.MoveNext())
            {
                DataViewRowId value = default;
                id(ref value);
                inputIds.Add(value);
            }
        }

        var outputIds = new List<DataViewRowId>();
        using (var cursor = output.GetRowCursor(output.Schema))
        {
            var id = cursor.GetIdGetter();
            var length = cursor.GetGetter<float>(output.Schema["Length"]);
            Assert.AreEqual(-1, cursor.Position);
            while (cursor.MoveNext())
            {
                Assert.AreEqual(outputIds.Count, cursor.Position);
                DataViewRowId value = default;
                id(ref value);
                outputIds.Add(value);
                float len = 0;
                length(ref len);
                Assert.AreEqual(Codes[outputIds.Count - 1].Length, len);
            }
            Assert.IsFalse(cursor.MoveNext(), "an exhausted cursor stays exhausted");
        }
        CollectionAssert.AreEqual(inputIds, outputIds);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    public void TransformIsLazyAndSkipsTheMapperWhenNoOutputIsRead(int blockSize)
    {
        var ml = new MLContext(seed: 1);
        var transformer = new ProbeTransformer(blockSize: blockSize);
        var output = transformer.Transform(Input(ml));
        Assert.IsEmpty(transformer.BlockSizes, "Transform itself computes nothing");

        var problemId = output.Schema["ProblemId"];
        using var cursor = output.GetRowCursor([problemId]);
        Assert.IsFalse(cursor.IsColumnActive(output.Schema["Upper"]));
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(problemId);
        var seen = new List<string>();
        while (cursor.MoveNext())
        {
            ReadOnlyMemory<char> value = default;
            getter(ref value);
            seen.Add(value.ToString());
        }
        CollectionAssert.AreEqual(Enumerable.Range(0, 7).Select(i => $"p{i}").ToArray(), seen);
        Assert.IsEmpty(transformer.BlockSizes, "no output was requested, so nothing was mapped");
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<ReadOnlyMemory<char>>(output.Schema["Upper"]));
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(4)]
    public void ParallelCursorSetCoversEveryRowOnce(int blockSize)
    {
        var ml = new MLContext(seed: 1);
        var output = new ProbeTransformer(blockSize: blockSize).Transform(Input(ml, 20));
        var cursors = output.GetRowCursorSet(output.Schema, 3);
        var seen = new List<(string Id, string Upper)>();
        foreach (var cursor in cursors)
            using (cursor)
            {
                var id = cursor.GetGetter<ReadOnlyMemory<char>>(output.Schema["ProblemId"]);
                var upper = cursor.GetGetter<ReadOnlyMemory<char>>(output.Schema["Upper"]);
                while (cursor.MoveNext())
                {
                    ReadOnlyMemory<char> a = default, b = default;
                    id(ref a);
                    upper(ref b);
                    seen.Add((a.ToString(), b.ToString()));
                }
            }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 20).Select(i => $"p{i}").ToArray(), seen.Select(s => s.Id).ToArray());
        foreach (var (id, upper) in seen)
            Assert.AreEqual(Codes[int.Parse(id[1..]) % Codes.Length].ToUpperInvariant(), upper);
    }

    [TestMethod]
    public void OutputHidesAnInputColumnOfTheSameName()
    {
        var ml = new MLContext(seed: 1);
        var output = new ProbeTransformer(upperColumn: "Code").Transform(Input(ml));
        Assert.AreEqual(TextDataViewType.Instance, output.Schema["Code"].Type);
        var codes = output.GetColumn<string>("Code").ToArray();
        CollectionAssert.AreEqual(Codes.Select(c => c.ToUpperInvariant()).ToArray(), codes);
        Assert.IsTrue(output.Schema.Any(c => c.IsHidden && c.Name == "Code"), "the input column stays, hidden");
    }

    [TestMethod]
    public void OptionalInputIsSeenWhenPresentAndAbsentOtherwise()
    {
        var ml = new MLContext(seed: 1);
        var without = new ProbeTransformer();
        _ = without.Transform(Input(ml, 2)).GetColumn<float>("Length").ToArray();
        Assert.IsTrue(without.MarksSeen.All(m => m is null));

        var withMarks = ml.Data.LoadFromEnumerable(new[] { new MarkedRow { Code = "a", Marks = [1, 2] }, new MarkedRow { Code = "b", Marks = [7] } });
        var with = new ProbeTransformer();
        _ = with.Transform(withMarks).GetColumn<float>("Length").ToArray();
        Assert.HasCount(2, with.MarksSeen);
        CollectionAssert.AreEqual(new[] { 1, 2 }, with.MarksSeen.First());
        CollectionAssert.AreEqual(new[] { 7 }, with.MarksSeen.Last());
    }

    public sealed class MarkedRow
    {
        public string Code { get; set; } = "";
        [VectorType] public int[] Marks { get; set; } = [];
    }

    public sealed class WrongTypeRow
    {
        public float Code { get; set; }
    }

    public sealed class WrongMarksRow
    {
        public string Code { get; set; } = "";
        [VectorType] public float[] Marks { get; set; } = [];
    }

    [TestMethod]
    public void MissingInputColumnIsNamedInTheError()
    {
        var ml = new MLContext(seed: 1);
        var transformer = new ProbeTransformer(codeColumn: "Program");
        var data = Input(ml);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => transformer.Transform(data));
        StringAssert.Contains(e.Message, "Probe: input column 'Program' was not found");
        StringAssert.Contains(e.Message, "ProblemId, Code, Label, Targets");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => transformer.GetOutputSchema(data.Schema));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => transformer.GetRowToRowMapper(data.Schema));
    }

    [TestMethod]
    public void WrongInputTypeIsNamedInTheError()
    {
        var ml = new MLContext(seed: 1);
        var wrongCode = ml.Data.LoadFromEnumerable(new[] { new WrongTypeRow { Code = 1 } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ProbeTransformer().Transform(wrongCode));
        StringAssert.Contains(e.Message, "Probe: input column 'Code' has type Single; expected text");

        var wrongMarks = ml.Data.LoadFromEnumerable(new[] { new WrongMarksRow { Code = "x", Marks = [1f] } });
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ProbeTransformer().Transform(wrongMarks));
        StringAssert.Contains(e.Message, "'Marks'");
        StringAssert.Contains(e.Message, "expected vector<int>");
    }

    [TestMethod]
    public void EstimatorShapeIsCheckedAndExtended()
    {
        var ml = new MLContext(seed: 1);
        var transformer = new ProbeTransformer();
        var inputShape = SchemaShapeInterop.FromSchema(Input(ml).Schema);
        var shape = transformer.GetOutputShape(inputShape);
        var names = shape.Select(c => c.Name).ToArray();
        CollectionAssert.AreEqual(new[] { "ProblemId", "Code", "Label", "Targets", "Upper", "Words", "WordLengths", "HalfLengths", "Length", "HasDigit" }, names);
        var words = shape.Single(c => c.Name == "Words");
        Assert.AreEqual(SchemaShape.Column.VectorKind.VariableVector, words.Kind);
        Assert.AreEqual(TextDataViewType.Instance, words.ItemType);
        Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, shape.Single(c => c.Name == "HasDigit").Kind);

        var wrong = SchemaShapeInterop.FromSchema(ml.Data.LoadFromEnumerable(new[] { new WrongTypeRow() }).Schema);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => transformer.GetOutputShape(wrong));
        StringAssert.Contains(e.Message, "'Code'");
    }

    public sealed class PredictionInput
    {
        public string Code { get; set; } = "";
    }

    public sealed class PredictionOutput
    {
        public string Upper { get; set; } = "";
        public int[] WordLengths { get; set; } = [];
        public bool HasDigit { get; set; }
    }

    [TestMethod]
    public void PredictionEngineUsesTheRowToRowMapper()
    {
        var ml = new MLContext(seed: 1);
        var transformer = new ProbeTransformer(blockSize: 8);
        Assert.IsTrue(transformer.IsRowToRowMapper);
        var engine = ml.Model.CreatePredictionEngine<PredictionInput, PredictionOutput>(transformer);
        foreach (string code in Codes)
        {
            var prediction = engine.Predict(new PredictionInput { Code = code });
            Assert.AreEqual(code.ToUpperInvariant(), prediction.Upper);
            CollectionAssert.AreEqual(code.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Length).ToArray(), prediction.WordLengths);
            Assert.AreEqual(code.Any(char.IsAsciiDigit), prediction.HasDigit);
        }
        Assert.IsTrue(transformer.BlockSizes.All(size => size == 1), "a row-to-row mapper maps one row at a time");
    }

    [TestMethod]
    public void RowToRowMapperDependsOnInputsOnlyWhenAnOutputIsActive()
    {
        var ml = new MLContext(seed: 1);
        var schema = Input(ml).Schema;
        var mapper = new ProbeTransformer().GetRowToRowMapper(schema);
        var output = mapper.OutputSchema;
        CollectionAssert.AreEquivalent(new[] { "Label" }, mapper.GetDependencies([output["Label"]]).Select(c => c.Name).ToArray());
        CollectionAssert.AreEquivalent(new[] { "Code" }, mapper.GetDependencies([output["Words"]]).Select(c => c.Name).ToArray());
    }

    [TestMethod]
    public void ReadingAColumnAsTheWrongTypeFailsClearly()
    {
        var ml = new MLContext(seed: 1);
        var output = new ProbeTransformer().Transform(Input(ml));
        using var cursor = output.GetRowCursor(output.Schema);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<float>(output.Schema["Words"]));
        StringAssert.Contains(e.Message, "'Words'");
    }
}
