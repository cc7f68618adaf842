using System.Text.Json;
using Microsoft.ML;
using RewardML.Modeling;
using RewardML.Runtime;
using RewardML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Tests.Training;

/// <summary>The trainer's loss and gradients against a hand computation, and what it must leave untouched.</summary>
[TestClass]
public sealed class RewardHeadNumericsTests
{
    private const int Seed = 5;

    // Two rows: row 0 has three steps, one outside the window (-1), weight 2, soft step targets; row 1 has two steps, weight 0.5.
    private static List<RewardTrainingRow> TwoRows() =>
    [
        new() { ProblemId = "a", Tokens = [1, 12, 13, 14, 15, 16, 17], StepTokenEnds = [2, -1, 5], Label = true, StepTargets = [0.25f, 0.5f, 1f], Weight = 2f },
        new() { ProblemId = "b", Tokens = [1, 20, 21, 22], StepTokenEnds = [1, 3], Label = false, StepTargets = [0.75f, 0f], Weight = 0.5f },
    ];

    private static RewardHeadTrainer.Options ValueHeadOnly(string log, int batchSize, int accumulation) => new()
    {
        Backbone = SyntheticRewardData.Backbone(),
        Seed = Seed,
        TrainableLayers = 0,
        TrainEmbeddings = false,
        StepTargetsColumnName = "StepTargets",
        ExampleWeightColumnName = "Weight",
        BalanceClasses = false,
        Shuffle = false,
        BatchSize = batchSize,
        GradientAccumulationSteps = accumulation,
        MaxSteps = 1,
        MaxGradientNorm = 0,
        LogFile = log,
        Compute = new ComputeOptions { Device = "cpu" },
    };

    [TestMethod]
    [DataRow(2, 1, DisplayName = "one batch of two rows")]
    [DataRow(1, 2, DisplayName = "two micro-batches accumulated")]
    public void FirstStepLossAndGradientNormEqualAHandComputation(int batchSize, int accumulation)
    {
        using var dir = new TempFolder();
        var ml = new MLContext(0);
        using var _ = new RewardHeadTrainer(ValueHeadOnly(dir.File("log.jsonl"), batchSize, accumulation)).Fit(SyntheticRewardData.View(ml, TwoRows()));
        using var log = JsonDocument.Parse(File.ReadLines(dir.File("log.jsonl")).First());
        double loggedLoss = log.RootElement.GetProperty("loss").GetDouble(), loggedNorm = log.RootElement.GetProperty("grad_norm").GetDouble();

        // By hand, on the same initial model: L = Σᵢ wᵢ · meanₚ BCE(zᵢₚ, tᵢₚ) / Σᵢ wᵢ; only the value head trains, so
        // dL/db = Σ factor·(σ(z) − t) and dL/dW = Σ factor·(σ(z) − t)·h with factor = wᵢ / |Pᵢ| / Σ w.
        using var model = SyntheticRewardData.Backbone().Create(new ComputeOptions { Device = "cpu" }, new PhiRewardModelOptions { ValueHeadSeed = Seed });
        double loss = 0, gradBias = 0;
        var gradWeight = new double[model.Config.HiddenSize];
        double totalWeight = TwoRows().Sum(r => r.Weight);
        foreach (var row in TwoRows())
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var output = model.Forward(tensor(row.Tokens.Select(t => (long)t).ToArray(), [1, row.Tokens.Length]));
            var z = output.ValueLogits[0].data<float>().ToArray();
            var h = output.LastHidden[0].to(ScalarType.Float32).data<float>().ToArray();
            var steps = Enumerable.Range(0, row.StepTokenEnds.Length).Where(s => row.StepTokenEnds[s] >= 0).ToList();
            foreach (int s in steps)
            {
                int p = row.StepTokenEnds[s];
                double t = row.StepTargets[s], zp = z[p], factor = row.Weight / steps.Count / totalWeight;
                loss += factor * (Math.Max(zp, 0) - zp * t + Math.Log(1 + Math.Exp(-Math.Abs(zp))));
                double residual = factor * (1 / (1 + Math.Exp(-zp)) - t);
                gradBias += residual;
                for (int k = 0; k < gradWeight.Length; k++) gradWeight[k] += residual * h[p * gradWeight.Length + k];
            }
        }
        double norm = Math.Sqrt(gradBias * gradBias + gradWeight.Sum(g => g * g));
        Assert.AreEqual(loss, loggedLoss, 1e-5 * Math.Abs(loss), $"step loss: logged {loggedLoss}, by hand {loss}");
        Assert.AreEqual(norm, loggedNorm, 1e-4 * norm, $"gradient norm: logged {loggedNorm}, by hand {norm}");
    }

    [TestMethod]
    public void FrozenParametersStayByteIdenticalAndTrainedOnesMove()
    {
        var ml = new MLContext(0);
        var options = new RewardHeadTrainer.Options
        {
            Backbone = SyntheticRewardData.Backbone(), Seed = Seed, TrainableLayers = 1, TrainEmbeddings = false, MaxSteps = 3, BatchSize = 8,
            LearningRate = 1e-2, Compute = new ComputeOptions { Device = "cpu" },
        };
        using var trained = new RewardHeadTrainer(options).Fit(SyntheticRewardData.View(ml, SyntheticRewardData.Rows(24, 1)));
        using var initial = options.Backbone!.Create(options.Compute, new PhiRewardModelOptions { ValueHeadSeed = Seed });
        var before = initial.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in trained.Model.named_parameters())
        {
            bool trainable = name.StartsWith("model.layers.1.") || name.StartsWith("model.norm.") || name.StartsWith("value_head.");
            bool same = Same(p, before[name]);
            Assert.AreEqual(!trainable, same, trainable ? $"{name} is trainable but did not change" : $"{name} is frozen but changed");
        }
    }

    [TestMethod]
    public void WeightDecayShrinksOnlyTwoDimensionalWeights()
    {
        var ml = new MLContext(0);
        var data = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(16, 2));
        RewardHeadTrainer.Options Options(double decay) => new()
        {
            Backbone = SyntheticRewardData.Backbone(), Seed = Seed, TrainableLayers = 1, TrainEmbeddings = false, MaxSteps = 1, BatchSize = 16,
            LearningRate = 1e-2, WeightDecay = decay, Compute = new ComputeOptions { Device = "cpu" },
        };
        using var plain = new RewardHeadTrainer(Options(0)).Fit(data);
        using var decayed = new RewardHeadTrainer(Options(0.5)).Fit(data);
        using var initial = SyntheticRewardData.Backbone().Create(new ComputeOptions { Device = "cpu" }, new PhiRewardModelOptions { ValueHeadSeed = Seed });
        var start = initial.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var without = plain.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in decayed.Model.TrainableParametersAfterFreeze(1))
        {
            // AdamW: p ← p·(1 − lr·decay) − Adam step; the Adam step is the same in both runs (same gradients).
            var difference = (without[name] - p).to(ScalarType.Float64);
            var expected = (start[name] * (1e-2 * 0.5)).to(ScalarType.Float64);
            if (p.dim() == 2)
                Assert.IsTrue(difference.allclose(expected, rtol: 1e-3, atol: 1e-7), $"{name}: a 2-D weight must be decayed by lr·decay·p");
            else
                Assert.IsTrue(Same(p, without[name]), $"{name}: a {p.dim()}-D parameter (bias or norm) must not be decayed");
        }
    }

    [TestMethod]
    public void SameSeedGivesIdenticalWeights()
    {
        var ml = new MLContext(0);
        var data = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(32, 3));
        var options = new RewardHeadTrainer.Options { Backbone = SyntheticRewardData.Backbone(), Seed = 3, MaxTokensPerBatch = 96, NumberOfEpochs = 2, Compute = new ComputeOptions { Device = "cpu" } };
        using var first = new RewardHeadTrainer(options).Fit(data);
        using var second = new RewardHeadTrainer(options).Fit(data);
        AssertSameWeights(first.Model, second.Model, "two runs with the same seed");
        options.Seed = 4;
        using var other = new RewardHeadTrainer(options).Fit(data);
        Assert.IsFalse(Same(other.Model.ValueHead.Weight, first.Model.ValueHead.Weight), "another seed must give other weights");
    }

    [TestMethod]
    public void ZeroMaxStepsReturnsTheInitialModel()
    {
        var ml = new MLContext(0);
        var options = new RewardHeadTrainer.Options { Backbone = SyntheticRewardData.Backbone(), Seed = Seed, MaxSteps = 0, Compute = new ComputeOptions { Device = "cpu" } };
        using var fitted = new RewardHeadTrainer(options).Fit(SyntheticRewardData.View(ml, SyntheticRewardData.Rows(8, 4)));
        using var initial = options.Backbone!.Create(options.Compute, new PhiRewardModelOptions { ValueHeadSeed = Seed });
        AssertSameWeights(initial, fitted.Model, "MaxSteps = 0");
        Assert.AreEqual(0, fitted.TrainingSummary!.Steps, "steps taken");
    }

    [TestMethod]
    public void KilledRunResumesFromItsCheckpointToTheSameWeights()
    {
        using var dir = new TempFolder();
        var ml = new MLContext(0);
        var data = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(40, 6));
        var validation = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(12, 7));
        RewardHeadTrainer.Options Options(string? folder) => new()
        {
            Backbone = SyntheticRewardData.Backbone(), Seed = 9, BatchSize = 4, GradientAccumulationSteps = 2, NumberOfEpochs = 3, WarmupSteps = 2,
            Schedule = LearningRateSchedule.Cosine, CheckpointFolder = folder, CheckpointSteps = 2, LoggingSteps = 1, LearningRate = 3e-3,
            LogFile = folder is null ? null : Path.Combine(folder, "log.jsonl"), Compute = new ComputeOptions { Device = "cpu" },
        };
        using var uninterrupted = new RewardHeadTrainer(Options(null)).Fit(data, validation);

        // Cancelled at step 7 (mid-epoch 2, between two checkpoints): the cancellation writes a checkpoint, then throws.
        using var cancel = new CancellationTokenSource();
        var first = new RewardHeadTrainer(Options(dir.Path)) { Progress = new Synchronous<RewardHeadProgress>(p => { if (p.Step == 7) cancel.Cancel(); }) };
        Assert.ThrowsExactly<OperationCanceledException>(() => first.Fit(data, validation, cancel.Token));
        using var resumed = new RewardHeadTrainer(Options(dir.Path)).Fit(data, validation, CancellationToken.None);

        Assert.AreEqual(7, resumed.TrainingSummary!.ResumedFromStep, "resumed from the step the cancellation saved");
        AssertSameWeights(uninterrupted.Model, resumed.Model, "resumed run vs uninterrupted run");
        var steps = File.ReadLines(Path.Combine(dir.Path, "log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32()).ToList();
        CollectionAssert.AreEqual(Enumerable.Range(1, uninterrupted.TrainingSummary!.Steps).ToList(), steps, "the step log has every step once");
    }

    [TestMethod]
    public void ACheckpointOfAnotherRunIsRefused()
    {
        using var dir = new TempFolder();
        var ml = new MLContext(0);
        var options = new RewardHeadTrainer.Options { Backbone = SyntheticRewardData.Backbone(), CheckpointFolder = dir.Path, MaxSteps = 2, BatchSize = 4, Compute = new ComputeOptions { Device = "cpu" } };
        using (new RewardHeadTrainer(options).Fit(SyntheticRewardData.View(ml, SyntheticRewardData.Rows(8, 1)))) { }
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new RewardHeadTrainer(options).Fit(SyntheticRewardData.View(ml, SyntheticRewardData.Rows(8, 2))));
        StringAssert.Contains(e.Message, dir.Path);
    }

    [TestMethod]
    public void ValidationKeepsTheBestEpochAndStopsEarly()
    {
        var ml = new MLContext(0);
        // A learning rate far too high: validation log loss gets worse after the first epoch, so epoch 1 is kept.
        var options = new RewardHeadTrainer.Options
        {
            Backbone = SyntheticRewardData.Backbone(), Seed = 2, NumberOfEpochs = 6, BatchSize = 8, LearningRate = 0.5, Schedule = LearningRateSchedule.Constant,
            SelectionMetric = ValidationMetric.LogLoss, EarlyStoppingPatience = 2, Compute = new ComputeOptions { Device = "cpu" },
        };
        var validation = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(16, 11));
        using var model = new RewardHeadTrainer(options).Fit(SyntheticRewardData.View(ml, SyntheticRewardData.Rows(32, 10)), validation);
        var summary = model.TrainingSummary!;
        var losses = summary.Epochs.Select(e => e.Validation![ValidationMetric.LogLoss]).ToList();
        int best = losses.IndexOf(losses.Min()) + 1;
        Assert.AreEqual(best, summary.BestEpoch, $"best epoch by validation log loss ({string.Join(", ", losses)})");
        Assert.AreEqual(summary.Epochs.Count < 6, summary.StoppedEarly, "stopped early exactly when fewer epochs ran");
        Assert.IsTrue(summary.Epochs.Count - best <= 2, "patience 2: at most two epochs after the best");
        var kept = RewardML.Evaluation.RewardEvaluator.Evaluate(model.Transform(validation));
        Assert.AreEqual(losses.Min(), kept.LogLoss, 1e-4, "the returned model scores the validation data as its best epoch did");
    }

    [TestMethod]
    public void CalibrationLowersTheValidationLogLoss()
    {
        var ml = new MLContext(0);
        var validation = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(48, 21));
        RewardHeadTrainer.Options Options(bool calibrate) => new()
        {
            Backbone = SyntheticRewardData.Backbone(), Seed = 1, NumberOfEpochs = 3, BatchSize = 8, LearningRate = 3e-3, Calibrate = calibrate,
            Compute = new ComputeOptions { Device = "cpu" },
        };
        var train = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(48, 20));
        using var raw = new RewardHeadTrainer(Options(false)).Fit(train, validation);
        using var calibrated = new RewardHeadTrainer(Options(true)).Fit(train, validation);
        double before = RewardML.Evaluation.RewardEvaluator.Evaluate(raw.Transform(validation)).LogLoss;
        double after = RewardML.Evaluation.RewardEvaluator.Evaluate(calibrated.Transform(validation)).LogLoss;
        Assert.AreNotEqual(1.0, calibrated.Temperature, "a temperature was fitted");
        Assert.IsTrue(after < before, $"validation log loss {before:0.#####} uncalibrated, {after:0.#####} calibrated (T = {calibrated.Temperature:0.###})");
    }

    internal static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    internal static void AssertSameWeights(PhiRewardModel expected, PhiRewardModel actual, string what)
    {
        var other = actual.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in expected.named_parameters())
            Assert.IsTrue(Same(p, other[name]), $"{what}: {name} differs (max |Δ| {(p - other[name]).abs().max().ToSingle()})");
    }
}

internal static class FreezeProbe
{
    /// <summary>The parameters that train with <paramref name="layers"/> trainable layers and frozen embeddings.</summary>
    public static IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> TrainableParametersAfterFreeze(this PhiRewardModel model, int layers)
    {
        int first = model.Config.NumHiddenLayers - layers;
        return model.named_parameters().Where(p => p.name.StartsWith("value_head.") || p.name.StartsWith("model.norm.")
            || (PhiRewardModel.LayerIndex(p.name) is { } l && l >= first));
    }
}

/// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class Synchronous<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("rewardml-training-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
