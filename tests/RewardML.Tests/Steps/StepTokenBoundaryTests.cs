using Microsoft.ML.Tokenizers;
using RewardML.Steps;

namespace RewardML.Tests.Steps;

/// <summary>
/// Step ends are placed so that Phi's byte-pair tokenizers (cl100k for Phi-4, o200k for Phi-4-mini) do not merge
/// across them: blank lines join the step before them, because these tokenizers make one token of a run of line breaks.
/// </summary>
[TestClass]
public sealed class StepTokenBoundaryTests
{
    [TestMethod]
    [DataRow("cl100k_base")]
    [DataRow("o200k_base")]
    public void StepEndsOfApsSolutionsFallOnTokenBoundaries(string encoding)
    {
        var programs = AppsReferenceSolutions.All();
        var tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
        IStepSegmenter[] segmenters = [new PythonStatementSegmenter(), new LineStepSegmenter()];
        int checkedEnds = 0;
        foreach (string code in programs)
        {
            var tokenEnds = tokenizer.EncodeToTokens(code, out _).Select(t => t.Offset.End.GetOffset(code.Length)).ToHashSet();
            foreach (var segmenter in segmenters)
                foreach (int end in segmenter.Segment(code))
                {
                    checkedEnds++;
                    if (!tokenEnds.Contains(end))
                        Assert.Fail($"{segmenter.GetType().Name}: step end {end} falls inside a {encoding} token of {StepAssert.Show(code)}");
                }
        }
        Assert.IsGreaterThan(50000, checkedEnds);
    }
}
