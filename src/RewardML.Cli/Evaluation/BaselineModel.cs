using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Evaluation;

namespace RewardML.Cli.Evaluation;

/// <summary>
/// Scores the rows of a scored file with a baseline model zip — the n-gram logistic regression <c>train --baseline</c>
/// saves (FeaturizeText over <c>Code</c> + SDCA) or any ML.NET binary classifier over a <c>Code</c> column — so that
/// <c>eval</c> shows the reward model and the cheap model on the same rows.
/// </summary>
internal static class BaselineModel
{
    public static IReadOnlyList<ScoredRow> Score(string zip, ScoredFile scored)
    {
        var missing = scored.Rows.FirstOrDefault(r => r.Code is null);
        if (missing is not null)
            throw new InvalidDataException($"--baseline {zip}: {scored.Path}:{missing.Line} has no code column; a baseline model scores the program text.");
        var ml = new MLContext();
        var model = ml.Model.Load(zip, out _);
        var input = ml.Data.LoadFromEnumerable(scored.Rows.Select(r => new CodeRow { Code = r.Code!, Label = r.Label }));
        var output = ml.Data.CreateEnumerable<Prediction>(model.Transform(input), reuseRowObject: false).ToList();
        return scored.Rows.Zip(output, (row, p) => row with { Score = p.Score, Probability = p.Probability, StepScores = null, StepTokenEnds = null, CodeTokenStart = null }).ToList();
    }

    private sealed class CodeRow
    {
        public string Code { get; set; } = "";
        public bool Label { get; set; }
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
        public float Probability { get; set; }
    }
}
