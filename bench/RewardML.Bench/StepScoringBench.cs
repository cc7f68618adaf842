using Microsoft.ML;
using RewardML.Runtime;
using RewardML.Scoring;
using RewardML.Training;
using static RewardML.Bench.RewardBenchSupport;
using static TorchSharp.torch;

namespace RewardML.Bench;

/// <summary>
/// Step scoring, same model and rows, one run: RewardML's way (one forward pass per program reads the value at every step
/// end — through the transformer, batched by token budget, and one row at a time with <c>ScoreSteps</c>) against the
/// per-prefix way TRL's PRM documentation scores steps (one forward pass per step prefix, the value read at its last
/// token), the latter with the same <c>PhiRewardModel.Forward</c> under <c>no_grad</c>. The three are interleaved per round.
/// </summary>
internal static class StepScoringBench
{
    public static int Run(Options options)
    {
        int programs = options.Int("programs", 32), steps = options.Int("steps", 10);
        int minTokens = options.Int("min-tokens", 300), maxTokens = options.Int("max-tokens", 600);
        int rounds = options.Int("rounds", 3), budget = options.Int("max-tokens-per-batch", 16384);
        var compute = new ComputeOptions { Device = "cpu", Threads = options.Int("threads", 0) };
        var settings = compute.Resolve();
        var backbone = Backbone(options);
        var rows = Rows(programs, minTokens, maxTokens, steps, backbone.Tiny!.VocabSize, seed: 7);
        Console.WriteLine($"model: {Describe(backbone)}, random weights (seed 1), {settings.Threads} threads, cpu heap tuned: {TorchRuntime.Report?.HeapTuned}");
        Console.WriteLine($"rows: {RowSummary(rows)}; token budget per batched pass {budget}");

        // The model: Fit with MaxSteps = 0 returns the initial model (tiny backbone from its seed, value head from Seed).
        var ml = new MLContext(0);
        var view = ml.Data.LoadFromEnumerable(rows);
        using var transformer = ml.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
        {
            Backbone = backbone, MaxSteps = 0, Shuffle = false, MaxTokensPerBatch = budget, Compute = compute, BalanceClasses = false,
        }).Fit(view);
        var model = transformer.Model;

        float[][] Batched() => ml.Data.CreateEnumerable<BenchScoredRow>(transformer.Transform(view), reuseRowObject: false).Select(r => r.StepScores).ToArray();
        float[][] OneRowAtATime() => rows.Select(r => transformer.ScoreSteps(r.Tokens, r.StepTokenEnds)).ToArray();
        float[][] PerPrefix()
        {
            // One forward pass per step: the prefix up to and including the step's end, the value read at its last token.
            var results = new float[rows.Count][];
            model.eval();
            using var _ = no_grad();
            for (int r = 0; r < rows.Count; r++)
            {
                var ends = rows[r].StepTokenEnds;
                results[r] = new float[ends.Length];
                for (int s = 0; s < ends.Length; s++)
                {
                    using var scope = NewDisposeScope();
                    int length = ends[s] + 1;
                    var ids = tensor(AsLong(rows[r].Tokens, length), [1, length]);
                    using var output = model.Forward(ids);
                    results[r][s] = output.Values[0, length - 1].item<float>();
                }
            }
            return results;
        }

        long tokens = rows.Sum(r => (long)r.Tokens.Length);
        long prefixTokens = rows.Sum(r => r.StepTokenEnds.Sum(e => (long)e + 1));
        Console.WriteLine($"tokens through the model per round: one pass per program {tokens}; one pass per step prefix {prefixTokens} ({prefixTokens / (double)tokens:0.00}×)");

        if (options.Int("mask-check", 0) > 0) MaskCheck(model, options.Int("mask-check", 0), options.Int("mask-check-rows", 8));

        // Warm-up: each way once on the whole set (libtorch, the allocator and ML.NET's code paths settle).
        Batched(); OneRowAtATime(); PerPrefix();

        Console.WriteLine("round | load | batched s (CPU s) | one row at a time s (CPU s) | per prefix s (CPU s) | programs/s batched / one row / per prefix | speedup batched | speedup one row | speedup (CPU time) batched / one row | max |Δ| batched, one row vs per prefix");
        var results = new List<(Timing Batched, Timing Single, Timing Prefix, double DiffBatched, double DiffSingle)>();
        for (int round = 1; round <= rounds; round++)
        {
            string load = LoadAverage();
            float[][] a = [], s = [], b = [];
            var tBatched = Time(() => a = Batched());
            var tSingle = Time(() => s = OneRowAtATime());
            var tPrefix = Time(() => b = PerPrefix());
            double diffA = MaxAbsDiff(a, b), diffS = MaxAbsDiff(s, b);
            results.Add((tBatched, tSingle, tPrefix, diffA, diffS));
            Console.WriteLine($"{round} | {load} | {tBatched.Wall:0.00} ({tBatched.Cpu:0.00}) | {tSingle.Wall:0.00} ({tSingle.Cpu:0.00}) | {tPrefix.Wall:0.00} ({tPrefix.Cpu:0.00}) | " +
                              $"{programs / tBatched.Wall:0.00} / {programs / tSingle.Wall:0.00} / {programs / tPrefix.Wall:0.00} | " +
                              $"{tPrefix.Wall / tBatched.Wall:0.00}× | {tPrefix.Wall / tSingle.Wall:0.00}× | {tPrefix.Cpu / tBatched.Cpu:0.00}× / {tPrefix.Cpu / tSingle.Cpu:0.00}× | {diffA:0.0e0}, {diffS:0.0e0}");
        }
        Console.WriteLine($"median: programs/s batched {Median(results.Select(r => programs / r.Batched.Wall)):0.00}, one row at a time {Median(results.Select(r => programs / r.Single.Wall)):0.00}, per prefix {Median(results.Select(r => programs / r.Prefix.Wall)):0.00}; " +
                          $"speedup over per prefix: batched {Median(results.Select(r => r.Prefix.Wall / r.Batched.Wall)):0.00}×, one row at a time {Median(results.Select(r => r.Prefix.Wall / r.Single.Wall)):0.00}× " +
                          $"(CPU time: {Median(results.Select(r => r.Prefix.Cpu / r.Batched.Cpu)):0.00}×, {Median(results.Select(r => r.Prefix.Cpu / r.Single.Cpu)):0.00}×); " +
                          $"batched vs one row at a time {Median(results.Select(r => r.Single.Wall / r.Batched.Wall)):0.00}×; max |Δ| {results.Max(r => Math.Max(r.DiffBatched, r.DiffSingle)):0.0e0}");
        return 0;
    }

    /// <summary>
    /// Why a padded batch can cost more than its rows one at a time: the same <paramref name="rows"/> × <paramref name="length"/> tokens through
    /// <c>Forward</c> without a mask (SDPA's fused causal kernel), with a mask that pads one token of one row (the explicit
    /// boolean-mask path every padded batch takes), and row by row (no mask). Interleaved, 3 rounds.
    /// </summary>
    private static void MaskCheck(Modeling.PhiRewardModel model, int length, int rows)
    {
        model.eval();
        using var noGrad = no_grad();
        var ids = randint(0, model.Config.VocabSize, [rows, length], generator: new TorchSharp.torch.Generator(3, CPU));
        var mask = ones(rows, length, ScalarType.Int64);
        mask[rows - 1, length - 1] = tensor(0L);
        void Plain() { using var o = model.Forward(ids); _ = o.Values.sum().item<float>(); }
        void Masked() { using var o = model.Forward(ids, mask); _ = o.Values.sum().item<float>(); }
        void OneByOne() { for (int r = 0; r < rows; r++) { using var o = model.Forward(ids.narrow(0, r, 1)); _ = o.Values.sum().item<float>(); } }
        Plain(); Masked(); OneByOne();
        for (int round = 1; round <= 3; round++)
        {
            var p = Time(Plain); var m = Time(Masked); var o = Time(OneByOne);
            Console.WriteLine($"mask check {rows}×{length} round {round} (load {LoadAverage()}): batch no mask {p.Wall:0.000} s ({p.Cpu:0.000} CPU s), batch with a padding mask {m.Wall:0.000} s ({m.Cpu:0.000}), rows one at a time {o.Wall:0.000} s ({o.Cpu:0.000}); masked / unmasked CPU {m.Cpu / p.Cpu:0.00}×");
        }
    }

    private static double MaxAbsDiff(float[][] x, float[][] y)
    {
        if (x.Length != y.Length) throw new InvalidOperationException($"{x.Length} rows vs {y.Length}");
        double max = 0;
        for (int r = 0; r < x.Length; r++)
        {
            if (x[r].Length != y[r].Length) throw new InvalidOperationException($"row {r}: {x[r].Length} steps vs {y[r].Length}");
            for (int s = 0; s < x[r].Length; s++)
            {
                double d = Math.Abs(x[r][s] - (double)y[r][s]);
                if (double.IsNaN(d)) return double.NaN;
                max = Math.Max(max, d);
            }
        }
        return max;
    }
}
