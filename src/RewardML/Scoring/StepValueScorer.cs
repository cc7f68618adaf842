using RewardML.Modeling;
using RewardML.Training;
using static TorchSharp.torch;

namespace RewardML.Scoring;

/// <summary>
/// Scores every step of many programs with ONE forward pass per program: rows are sorted by length, cut into batches by
/// the token budget, run under <c>no_grad</c> in eval mode with one dispose scope per batch, and the value at each step's
/// position read out. A causal model's value at a position depends only on the tokens before it, so a row is fed only up
/// to its last scored position.
/// </summary>
internal static class StepValueScorer
{
    /// <summary>Per row, the value (probability) at each step; NaN for steps outside the window.</summary>
    public static float[][] Score(PhiRewardModel model, IReadOnlyList<RewardExample> rows, int batchSize, int maxTokens)
    {
        var results = new float[rows.Count][];
        var lengths = rows.Select(r => r.ScoredLength).ToArray();
        var scored = new List<int>();
        for (int i = 0; i < rows.Count; i++)
        {
            if (lengths[i] > 0) scored.Add(i);
            else results[i] = Enumerable.Repeat(float.NaN, rows[i].StepTokenEnds.Length).ToArray();
        }
        if (scored.Count == 0) return results;

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var scoredLengths = scored.Select(i => lengths[i]).ToArray();
            // Sorted by length within the call: least padding; results go back to their rows.
            var byLength = Enumerable.Range(0, scored.Count).OrderBy(k => scoredLengths[k]).ThenBy(k => k).ToArray();
            foreach (var batch in BatchPlanner.Cut(byLength, scoredLengths, batchSize, maxTokens))
                ScoreBatch(model, batch.Select(k => rows[scored[k]]).ToList(), batch.Select(k => scored[k]).ToList(), results);
        }
        finally
        {
            model.train(wasTraining);
        }
        return results;
    }

    private static void ScoreBatch(PhiRewardModel model, List<RewardExample> rows, List<int> slots, float[][] results)
    {
        using var scope = NewDisposeScope();
        int length = rows.Max(r => r.ScoredLength);
        int queries = Math.Max(1, rows.Max(r => r.StepTokenEnds.Length));
        var ids = new long[rows.Count * length];
        var queryPositions = new long[rows.Count * queries]; // each row's step ends, then position 0 as filler
        for (int b = 0; b < rows.Count; b++)
        {
            for (int p = 0; p < rows[b].ScoredLength; p++) ids[b * length + p] = rows[b].Tokens[p];
            var ends = rows[b].StepTokenEnds;
            for (int s = 0; s < ends.Length; s++) queryPositions[b * queries + s] = Math.Max(0, ends[s]);
        }
        // Right-padded without an attention mask: under causal attention a real token never sees the pads after it, and
        // only real positions are read, so plain causal attention is exact here and runs SDPA's fused kernel. The last
        // layer runs at the step ends only.
        using var output = model.Forward(tensor(ids, [rows.Count, length], device: model.Device),
            queryPositions: tensor(queryPositions, [rows.Count, queries], device: model.Device));
        var values = output.Values.to(ScalarType.Float32).cpu().data<float>().ToArray();
        for (int b = 0; b < rows.Count; b++)
        {
            var ends = rows[b].StepTokenEnds;
            var steps = new float[ends.Length];
            for (int s = 0; s < ends.Length; s++) steps[s] = ends[s] < 0 ? float.NaN : values[b * queries + s];
            results[slots[b]] = steps;
        }
    }
}
