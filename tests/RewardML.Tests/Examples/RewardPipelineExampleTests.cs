using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Steps;
using RewardML.Tokenization;
using RewardPipeline;

namespace RewardML.Tests.Examples;

/// <summary>Runs examples/RewardPipeline's main logic on its shipped data, so the example users copy from cannot rot.</summary>
[TestClass]
public sealed class RewardPipelineExampleTests
{
    [TestMethod]
    public void ExampleFitsSavesAndLoadsThePipelineWithIdenticalOutput()
    {
        string data = Path.Combine(AppContext.BaseDirectory, RewardPipelineExample.SampleData);
        Assert.IsTrue(File.Exists(data), $"the example's data was not copied beside the tests: {data}");
        string folder = Path.Combine(Path.GetTempPath(), "rewardml-example-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        try
        {
            var output = new StringWriter();

            var result = RewardPipelineExample.Run(output, data, folder);

            string text = output.ToString();
            Assert.IsTrue(result.Identical, text);
            Assert.AreEqual(Path.Combine(folder, "reward-pipeline.zip"), result.ModelPath);
            StringAssert.Contains(text, "identical output for all 8 rows");
            StringAssert.Contains(text, "problem even-odd, label True");
            StringAssert.Contains(text, "\"n = int(input())");   // the first row's first statement is shown as a step
            StringAssert.Contains(text, "step  0 ends at char");

            // The zip is an ordinary ML.NET model with our two components inside, inspectable as JSON.
            using (var zip = ZipFile.OpenRead(result.ModelPath))
                Assert.HasCount(3, zip.Entries.Where(e => e.FullName.EndsWith("component.json", StringComparison.Ordinal)));
            var chain = Assert.IsInstanceOfType<TransformerChain<ITransformer>>(result.Loaded);
            CollectionAssert.AreEqual(new[] { typeof(SegmentStepsTransformer), typeof(TokenizeForRewardTransformer), typeof(RewardML.Scoring.RewardHeadTransformer) },
                chain.Select(t => t.GetType()).ToArray());
            StringAssert.Contains(text, "P(pass)", "the example prints every row's score");

            // What the example printed agrees with a direct encode of the first row.
            var ml = new MLContext();
            var first = ml.Data.CreateEnumerable<FirstRow>(result.Loaded.Transform(ml.Data.LoadRewardRowsFromJsonl(data)), reuseRowObject: false).First();
            var direct = ((TokenizeForRewardTransformer)chain.ElementAt(1)).Encode(first.Prompt, first.Code, first.StepEnds);
            CollectionAssert.AreEqual(direct.StepTokenEnds, first.StepTokenEnds);
            Assert.AreEqual(first.StepEnds.Length, text.Split('\n').Count(line => line.TrimStart().StartsWith("step ", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class FirstRow
    {
        public string Prompt { get; set; } = "";
        public string Code { get; set; } = "";
        public int[] StepEnds { get; set; } = [];
        public int[] StepTokenEnds { get; set; } = [];
    }
}
