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
        ITransformer model;
        try
        {
            model = ml.Model.Load(zip, out _);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"--baseline {zip}: not a model zip ML.NET can load ({CliErrors.Unwrap(e).Message})");
        }
        var input = ml.Data.LoadFromEnumerable(scored.Rows.Select(r => new CodeRow { Code = r.Code!, Label = r.Label }));
        List<Prediction> output;
        try
        {
            output = ml.Data.CreateEnumerable<Prediction>(model.Transform(input), reuseRowObject: false).ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"--baseline {zip}: the model does not score a Code column into Score and Probability ({CliErrors.Unwrap(e).Message})");
        }
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
