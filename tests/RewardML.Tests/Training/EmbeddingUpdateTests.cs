using Microsoft.ML;
using RewardML.Modeling;
using RewardML.Runtime;
using RewardML.Scoring;
using RewardML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Tests.Training;

/// <summary>The two ways a training embedding is updated: dense AdamW (a PyTorch loop, step for step) and the touched rows only.</summary>
[TestClass]
public sealed class EmbeddingUpdateTests
{
    private const int Seed = 3, Rows = 12, Batch = 4;
    private const double Tolerance = 1e-5;

    private static RewardHeadTrainer.Options Options(EmbeddingUpdate update, int steps) => new()
    {
        Backbone = SyntheticRewardData.Backbone(), Seed = Seed, TrainEmbeddings = true, EmbeddingUpdate = update, Targets = TrainingTargets.LastStep,
        BalanceClasses = false, Shuffle = false, BatchSize = Batch, MaxSteps = steps, NumberOfEpochs = 1, Schedule = LearningRateSchedule.Constant,
        LearningRate = 1e-2, MaxGradientNorm = 0, Compute = new ComputeOptions { Device = "cpu" },
    };

    private static float[] Embedding(RewardHeadTransformer head) => head.Model.Model.EmbedTokens.Weight.data<float>().ToArray();

    private static RewardHeadTransformer Fit(EmbeddingUpdate update, int steps, List<RewardTrainingRow> rows) =>
        new RewardHeadTrainer(Options(update, steps)).Fit(SyntheticRewardData.View(new MLContext(0), rows));

    [TestMethod]
    public void DenseEqualsAPlainAdamWLoopStepForStep()
    {
        var rows = SyntheticRewardData.Rows(Rows, seed: 4);
        using var fitted = Fit(EmbeddingUpdate.Dense, Rows / Batch, rows);

        // The plain loop: the same model, everything trainable as the trainer makes it, torch's AdamW, the mean BCE of each
        // row's last step over the batch (the trainer's loss with one position per row and unit weights).
        using var model = SyntheticRewardData.Backbone().Create(new ComputeOptions { Device = "cpu" }, new PhiRewardModelOptions { ValueHeadSeed = Seed });
        model.FreezeAllButLastLayers(model.Config.NumHiddenLayers);
        model.Model.EmbedTokens.Weight.requires_grad = true;
        model.train();
        var trainable = model.TrainableParameters().Select(p => p.Parameter).ToList();
        using var adam = optim.AdamW(trainable, lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0);
        foreach (var chunk in rows.Chunk(Batch))
        {
            using var scope = NewDisposeScope();
            foreach (var p in trainable) p.grad = null;
            int length = chunk.Max(r => r.StepTokenEnds[^1] + 1);
            var ids = new long[chunk.Length * length];
            var mask = new long[chunk.Length * length];
            for (int b = 0; b < chunk.Length; b++)
                for (int t = 0; t <= chunk[b].StepTokenEnds[^1]; t++) { ids[b * length + t] = chunk[b].Tokens[t]; mask[b * length + t] = 1; }
            using var output = model.Forward(tensor(ids, [chunk.Length, length]), tensor(mask, [chunk.Length, length]));
            var last = tensor(chunk.Select((r, b) => (long)(b * length + r.StepTokenEnds[^1])).ToArray());
            var z = output.ValueLogits.reshape(-1).index_select(0, last);
            nn.functional.binary_cross_entropy_with_logits(z, tensor(chunk.Select(r => r.Label ? 1f : 0f).ToArray())).backward();
            adam.step();
        }

        var expected = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in fitted.Model.named_parameters())
        {
            double diff = (p - expected[name]).abs().max().ToDouble();
            Assert.IsTrue(diff <= Tolerance, $"{name}: max |Δ| {diff:g3} against the plain AdamW loop");
        }
    }

    [TestMethod]
    public void TouchedRowsEqualsDenseOnTheFirstStep()
    {
        var rows = SyntheticRewardData.Rows(Rows, seed: 4);
        using var dense = Fit(EmbeddingUpdate.Dense, 1, rows);
        using var touched = Fit(EmbeddingUpdate.TouchedRows, 1, rows);
        var other = touched.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in dense.Model.named_parameters())
        {
            double diff = (p - other[name]).abs().max().ToDouble();
            Assert.IsTrue(diff <= Tolerance, $"{name}: max |Δ| {diff:g3} after one step (every moment starts at 0, so no row can differ)");
        }
    }

    [TestMethod]
    public void ARowOnlyTheFirstStepUsesStopsWithTouchedRowsAndCoastsWithDense()
    {
        // Token 45 appears only in the first batch; every later batch leaves its row alone.
        const int Only = 45;
        var rows = SyntheticRewardData.Rows(Rows, seed: 4);
        rows[0].Tokens[5] = Only;
        Assert.IsTrue(rows.Skip(Batch).All(r => !r.Tokens.Contains(Only)));

        float[] Row(RewardHeadTransformer head) => Embedding(head).Skip(Only * head.Model.Config.HiddenSize).Take(head.Model.Config.HiddenSize).ToArray();
        using var touchedOne = Fit(EmbeddingUpdate.TouchedRows, 1, rows);
        using var touchedThree = Fit(EmbeddingUpdate.TouchedRows, 3, rows);
        using var denseOne = Fit(EmbeddingUpdate.Dense, 1, rows);
        using var denseThree = Fit(EmbeddingUpdate.Dense, 3, rows);

        CollectionAssert.AreEqual(Row(touchedOne), Row(touchedThree), "touched rows: an untouched row does not move");
        Assert.IsTrue(Row(denseOne).Zip(Row(denseThree)).Any(p => p.First != p.Second), "dense AdamW keeps moving the row by its momentum");
        Assert.IsTrue(Row(touchedOne).Zip(Row(denseOne)).All(p => Math.Abs(p.First - p.Second) <= Tolerance), "both moved it alike at step 1");
    }
}
