using Microsoft.ML;
using RewardML.Persistence;
using RewardML.Steps;
using RewardML.Tokenization;

namespace RewardML.Tests.Tokenization;

[TestClass]
public sealed class SegmentAndTokenizePipelineTests
{
    private sealed class Row
    {
        public string Prompt { get; set; } = "";
        public string Code { get; set; } = "";
    }

    private sealed class Output
    {
        public int[] StepEnds { get; set; } = [];
        public int[] Tokens { get; set; } = [];
        public int[] StepTokenEnds { get; set; } = [];
    }

    [TestMethod]
    public void TokenChunksStepsFeedTokenizeForReward()
    {
        var ml = new MLContext(seed: 1);
        var rows = new[]
        {
            new Row { Prompt = "Reverse each line.", Code = "import sys\nfor line in sys.stdin:\n    print(line.rstrip()[::-1])\n" },
            new Row { Prompt = "Print 42.", Code = "print(42)" },
        };
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.SegmentSteps(new SegmentStepsEstimator.Options
            {
                Strategy = StepStrategy.TokenChunks, ChunkTokens = 5, Tokenizer = TokenizerSpec.Phi4Mini,
            })
            .Append(ml.Transforms.TokenizeForReward(TokenizerSpec.Phi4Mini));
        var outputs = ml.Data.CreateEnumerable<Output>(pipeline.Fit(data).Transform(data), reuseRowObject: false).ToArray();

        var segmenter = new TokenChunksSegmenter(RewardTokenizer.Phi4Mini, 5);
        var builder = new RewardSequenceBuilder(RewardTokenizer.Phi4Mini, PromptTemplate.Plain, PromptFormat.Apps, 4096);
        for (int i = 0; i < rows.Length; i++)
        {
            var ends = segmenter.Segment(rows[i].Code);
            CollectionAssert.AreEqual(ends.ToArray(), outputs[i].StepEnds);
            var expected = builder.Build(rows[i].Prompt, rows[i].Code, ends);
            CollectionAssert.AreEqual(expected.Tokens, outputs[i].Tokens);
            CollectionAssert.AreEqual(expected.StepTokenEnds, outputs[i].StepTokenEnds);
        }
        Assert.IsTrue(outputs[0].StepEnds.Length > 2);
    }

    [TestMethod]
    public void TokenChunksOptionsSurviveSegmentStepsState()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Prompt = "p", Code = "a = 1\nb = 2\nprint(a + b)\n" } });
        var transformer = ml.Transforms.SegmentSteps(new SegmentStepsEstimator.Options
        {
            Strategy = StepStrategy.TokenChunks, ChunkTokens = 3, Tokenizer = TokenizerSpec.Phi4Mini,
        }).Fit(data);
        var writer = new ComponentStateWriter();
        transformer.SaveState(writer);
        var options = new ComponentStateReader(writer.Entries, 1, "test").ReadJson<SegmentStepsEstimator.Options>("options.json");
        Assert.AreEqual(3, options.ChunkTokens);
        Assert.AreEqual(TokenizerSpec.Phi4Mini, options.Tokenizer);
    }
}
