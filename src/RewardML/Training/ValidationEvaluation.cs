using RewardML.Evaluation;
using RewardML.Modeling;
using RewardML.Scoring;
using TorchSharp;

namespace RewardML.Training;

/// <summary>Scores validation rows with the model in training and computes the metrics that select the best epoch.</summary>
internal static class ValidationEvaluation
{
    /// <summary>Each row's aggregated step value (the uncalibrated probability).</summary>
    public static float[] Scores(PhiRewardModel model, IReadOnlyList<RewardExample> rows, RewardHeadTrainer.Options options) =>
        StepValueScorer.Score(model, rows, options.BatchSize, options.MaxTokensPerBatch)
            .Select(values => ScoreAggregator.Aggregate(options.Aggregation, values)).ToArray();

    public static Dictionary<ValidationMetric, double> Metrics(PhiRewardModel model, IReadOnlyList<RewardExample> rows, RewardHeadTrainer.Options options)
    {
        var scores = Scores(model, rows, options);
        var metrics = RewardEvaluator.Evaluate(rows.Select(r => r.Label).ToArray(), scores, options.Threshold);
        var result = new Dictionary<ValidationMetric, double>
        {
            [ValidationMetric.Auc] = metrics.AreaUnderRocCurve,
            [ValidationMetric.LogLoss] = metrics.LogLoss,
            [ValidationMetric.Accuracy] = metrics.Accuracy,
            [ValidationMetric.Brier] = metrics.BrierScore,
        };
        if (options.SelectionMetric == ValidationMetric.Loss) result[ValidationMetric.Loss] = Loss(model, rows, options);
        return result;
    }

    /// <summary>The training loss formula over all validation rows (one "step"), without gradients.</summary>
    private static double Loss(PhiRewardModel model, IReadOnlyList<RewardExample> rows, RewardHeadTrainer.Options options)
    {
        var (items, _) = TrainingItem.From(rows, options.Targets, options.BalanceClasses);
        if (items.Count == 0) return double.NaN;
        double total = items.Sum(i => (double)i.Weight), loss = 0;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = TorchSharp.torch.no_grad();
            foreach (var batch in BatchPlanner.Plan(items.Select(i => i.Length).ToList(), options.BatchSize, options.MaxTokensPerBatch, shuffle: false, 0, 0))
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                using var tensors = RewardBatch.Collate(batch.Select(k => items[k]).ToList(), total, model.Device);
                using var output = model.Forward(tensors.InputIds, queryPositions: tensors.QueryPositions);
                loss += tensors.Loss(output.ValueLogits).ToSingle();
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return loss;
    }
}
