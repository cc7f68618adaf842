using System.Text.Json;
using Microsoft.ML;
using RewardML.Modeling;
using RewardML.Runtime;
using RewardML.Training;
using TorchSharp;
using TorchSharp.Modules;
using static RewardML.Bench.RewardBenchSupport;
using static TorchSharp.torch;

namespace RewardML.Bench;

/// <summary>
/// The trainer's own overhead: a full <c>Fit</c> (fixed batches of <c>--batch</c> rows in input order, <c>MaxSteps</c> =
/// <c>--steps</c>, constant learning rate, per-step log) against the bare training loop over the same padded batches in
/// the same process — the same model built with <c>RewardBackbone.Create</c>, frozen like the trainer, AdamW — in two
/// forms: forward+backward+clip+AdamW (the same arithmetic as a trainer step: its losses must equal the log's) and
/// forward+backward alone. The three are interleaved in every round (Fit, bare full, bare fwd+bwd).
/// </summary>
internal static class TrainerOverheadBench
{
    public static int Run(Options options)
    {
        int batch = options.Int("batch", 8), steps = options.Int("steps", 8), rounds = options.Int("rounds", 5);
        int minTokens = options.Int("min-tokens", 300), maxTokens = options.Int("max-tokens", 600), stepsPerRow = options.Int("row-steps", 10);
        int trainableLayers = options.Int("trainable-layers", 12);
        bool? trainEmbeddings = options.String("train-embeddings", "default") switch { "default" => null, var v => bool.Parse(v) };
        const double learningRate = 1e-4, maxNorm = 1.0;
        var compute = new ComputeOptions { Device = "cpu", Threads = options.Int("threads", 0) };
        var settings = compute.Resolve();
        var backbone = Backbone(options);
        var rows = Rows(batch * steps, minTokens, maxTokens, stepsPerRow, backbone.Tiny!.VocabSize, seed: 11);
        var ml = new MLContext(0);
        var view = ml.Data.LoadFromEnumerable(rows);
        string logFile = Path.Combine(Path.GetTempPath(), $"rewardml-trainer-overhead-{Environment.ProcessId}.jsonl");

        var trainerOptions = new RewardHeadTrainer.Options
        {
            Backbone = backbone, BatchSize = batch, Shuffle = false, MaxSteps = steps, NumberOfEpochs = 1, LearningRate = learningRate,
            Schedule = LearningRateSchedule.Constant, MaxGradientNorm = maxNorm, BalanceClasses = false, ProblemIdColumnName = null,
            TrainableLayers = trainableLayers, TrainEmbeddings = trainEmbeddings, LogFile = logFile, Compute = compute, Seed = 0,
        };

        // The same padded batches as the trainer's (input order, `batch` rows each, right padding with a mask when lengths differ),
        // with each row's step ends, targets (the label) and loss share 1 / |Pᵢ| / rows: L = Σᵢ meanₚ BCE(zᵢₚ, tᵢ) / rows.
        var batches = Enumerable.Range(0, steps).Select(s => Collate(rows.Skip(s * batch).Take(batch).ToList())).ToList();
        long realTokens = rows.Sum(r => (long)r.Tokens.Length), paddedTokens = batches.Sum(b => b.Ids.numel());
        Console.WriteLine($"model: {Describe(backbone)}, random weights (seed 1), {settings.Threads} threads, cpu heap tuned: {TorchRuntime.Report?.HeapTuned}");
        Console.WriteLine($"rows: {RowSummary(rows)}; {steps} steps of {batch} rows in input order ({realTokens} real / {paddedTokens} padded tokens per pass over them); " +
                          $"trainable layers {trainableLayers} (clamped to {backbone.Tiny!.NumLayers}), train embeddings {trainEmbeddings?.ToString() ?? "default (on for tiny)"}; AdamW lr {learningRate} constant, clip {maxNorm}");

        (Timing Time, double LogSeconds, double[] Losses) Fit()
        {
            RewardHeadTrainer trainer = ml.BinaryClassification.Trainers.RewardHead(trainerOptions);
            var time = Time(() => trainer.Fit(view).Dispose());
            var records = File.ReadLines(logFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            if (records.Count != steps) throw new InvalidOperationException($"log has {records.Count} records, expected {steps}");
            return (time, records.Sum(r => r.GetProperty("seconds").GetDouble()), records.Select(r => r.GetProperty("loss").GetDouble()).ToArray());
        }

        // The bare loop. Setup (model, freezing, optimizer) is timed apart from the steps; a fresh model every call, so every
        // call does the same steps from the same weights as a Fit.
        (Timing Setup, Timing Steps, double[] Losses) Bare(bool optimizerStep)
        {
            PhiRewardModel? model = null;
            AdamW? optimizer = null;
            List<Parameter> trainable = [];
            var setup = Time(() =>
            {
                model = backbone.Create(compute, new PhiRewardModelOptions { ValueHeadSeed = 0 });
                model.FreezeAllButLastLayers(Math.Min(trainableLayers, model.Config.NumHiddenLayers));
                if (trainEmbeddings ?? backbone.IsTiny) model.Model.EmbedTokens.Weight.requires_grad = true;
                model.train();
                trainable = model.TrainableParameters().Select(p => p.Parameter).ToList();
                optimizer = optim.AdamW(trainable, lr: learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0);
            });
            var losses = new double[steps];
            var time = Time(() =>
            {
                for (int s = 0; s < steps; s++)
                {
                    using var scope = NewDisposeScope();
                    foreach (var p in trainable) p.grad = null;
                    var b = batches[s];
                    using var output = model!.Forward(b.Ids, b.Mask);
                    var z = output.ValueLogits.reshape(-1).index_select(0, b.Flat);
                    var loss = (nn.functional.binary_cross_entropy_with_logits(z, b.Targets, reduction: nn.Reduction.None) * b.Factors).sum();
                    loss.backward();
                    if (optimizerStep)
                    {
                        nn.utils.clip_grad_norm_(trainable, maxNorm);
                        optimizer!.step();
                    }
                    losses[s] = loss.item<float>();
                }
            });
            optimizer!.Dispose();
            model!.Dispose();
            return (setup, time, losses);
        }

        // Warm-up: one of each.
        Fit(); Bare(true); Bare(false);

        Console.WriteLine("round | load | Fit s (CPU s) | Fit log Σ step s | bare setup s | bare fwd+bwd+clip+AdamW s (CPU s) | bare fwd+bwd s (CPU s) | Fit steps/s | bare full steps/s | bare fwd+bwd steps/s | ratio Fit/bare full: whole Fit, log steps, CPU | ratio Fit/bare fwd+bwd: whole Fit, log steps | max |Δloss| Fit log vs bare full");
        var results = new List<(double Whole, double Log, double Cpu, double WholeFb, double LogFb, double Fit, double Bare, double BareFb)>();
        for (int round = 1; round <= rounds; round++)
        {
            string load = LoadAverage();
            var fit = Fit();
            var full = Bare(true);
            var fb = Bare(false);
            double lossDiff = fit.Losses.Zip(full.Losses, (x, y) => Math.Abs(x - y)).Max();
            var r = (Whole: full.Steps.Wall / fit.Time.Wall, Log: full.Steps.Wall / fit.LogSeconds, Cpu: full.Steps.Cpu / fit.Time.Cpu,
                     WholeFb: fb.Steps.Wall / fit.Time.Wall, LogFb: fb.Steps.Wall / fit.LogSeconds,
                     Fit: steps / fit.Time.Wall, Bare: steps / full.Steps.Wall, BareFb: steps / fb.Steps.Wall);
            results.Add(r);
            Console.WriteLine($"{round} | {load} | {fit.Time.Wall:0.00} ({fit.Time.Cpu:0.00}) | {fit.LogSeconds:0.00} | {full.Setup.Wall:0.00} | {full.Steps.Wall:0.00} ({full.Steps.Cpu:0.00}) | {fb.Steps.Wall:0.00} ({fb.Steps.Cpu:0.00}) | " +
                              $"{r.Fit:0.000} | {r.Bare:0.000} | {r.BareFb:0.000} | {r.Whole:0.000}, {r.Log:0.000}, {r.Cpu:0.000} | {r.WholeFb:0.000}, {r.LogFb:0.000} | {lossDiff:0.0e0}");
        }
        Console.WriteLine($"median: Fit {Median(results.Select(r => r.Fit)):0.000} steps/s, bare full {Median(results.Select(r => r.Bare)):0.000}, bare fwd+bwd {Median(results.Select(r => r.BareFb)):0.000}; " +
                          $"Fit / bare full: whole Fit {Median(results.Select(r => r.Whole)):0.000}×, log steps {Median(results.Select(r => r.Log)):0.000}×, CPU time {Median(results.Select(r => r.Cpu)):0.000}×; " +
                          $"Fit / bare fwd+bwd: whole Fit {Median(results.Select(r => r.WholeFb)):0.000}×, log steps {Median(results.Select(r => r.LogFb)):0.000}×");
        File.Delete(logFile);
        foreach (var b in batches) b.Dispose();
        return 0;
    }

    private sealed record Batch(Tensor Ids, Tensor? Mask, Tensor Flat, Tensor Targets, Tensor Factors) : IDisposable
    {
        public void Dispose()
        {
            Ids.Dispose(); Mask?.Dispose(); Flat.Dispose(); Targets.Dispose(); Factors.Dispose();
        }
    }

    private static Batch Collate(List<BenchRewardRow> rows)
    {
        int length = rows.Max(r => r.StepTokenEnds.Max() + 1);
        var ids = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        var flat = new List<long>();
        var targets = new List<float>();
        var factors = new List<float>();
        for (int b = 0; b < rows.Count; b++)
        {
            int rowLength = rows[b].StepTokenEnds.Max() + 1;
            for (int p = 0; p < rowLength; p++) { ids[b * length + p] = rows[b].Tokens[p]; mask[b * length + p] = 1; }
            foreach (int e in rows[b].StepTokenEnds)
            {
                flat.Add((long)b * length + e);
                targets.Add(rows[b].Label ? 1f : 0f);
                factors.Add((float)(1.0 / rows[b].StepTokenEnds.Length / rows.Count));
            }
        }
        bool padded = rows.Any(r => r.StepTokenEnds.Max() + 1 != length);
        return new Batch(tensor(ids, [rows.Count, length]).DetachFromDisposeScope(),
            padded ? tensor(mask, [rows.Count, length]).DetachFromDisposeScope() : null,
            tensor(flat.ToArray()).DetachFromDisposeScope(), tensor(targets.ToArray()).DetachFromDisposeScope(), tensor(factors.ToArray()).DetachFromDisposeScope());
    }
}
