using System.Diagnostics;
using System.Globalization;
using RewardML.Modeling;
using RewardML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Bench;

/// <summary>
/// CPU throughput of a small decoder (default hidden 256, 4 layers, 512 tokens, batch 8): forward and forward+backward
/// tokens/s and achieved GFLOP/s, against this machine's own float32 matmul GFLOP/s measured in the same run.
/// </summary>
internal static class PhiThroughputBench
{
    public static int Run(Options options)
    {
        int hidden = options.Int("hidden", 256), layers = options.Int("layers", 4), tokens = options.Int("tokens", 512);
        int batch = options.Int("batch", 8), repeats = options.Int("repeats", 5);
        int steps = options.Int("steps", 3), warmup = options.Int("warmup", 3);
        int heads = Math.Max(1, hidden / 64), kvHeads = Math.Max(1, heads / 2), inter = 4 * hidden, vocab = 8192;
        var settings = new ComputeOptions { Device = "cpu", Threads = options.Int("threads", 0) }.Resolve();
        var config = PhiConfig.Parse(string.Create(CultureInfo.InvariantCulture, $$"""
            {"model_type":"phi3","vocab_size":{{vocab}},"hidden_size":{{hidden}},"intermediate_size":{{inter}},
             "num_hidden_layers":{{layers}},"num_attention_heads":{{heads}},"num_key_value_heads":{{kvHeads}},
             "max_position_embeddings":4096,"rope_theta":10000.0,"partial_rotary_factor":0.75,"tie_word_embeddings":true}
            """));
        using var model = new PhiRewardModel(config, ScalarType.Float32, CPU);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name.EndsWith("norm.weight", StringComparison.Ordinal)) p.fill_(1); else p.normal_(0, 0.02);

        // FLOPs per token: 2 per weight of every linear layer, plus causal attention (QKᵀ and AV over on average
        // (T+1)/2 keys: 2 · 2 · (T+1)/2 · heads·headDim); backward costs twice the forward.
        long linear = layers * ((long)hidden * (heads + 2 * kvHeads) * config.HeadDim + (long)heads * config.HeadDim * hidden + 3L * hidden * inter) + hidden;
        double attention = layers * 2.0 * (tokens + 1) * heads * config.HeadDim;
        double forwardFlopsPerToken = 2.0 * linear + attention;
        long stepTokens = (long)batch * tokens;

        var ids = randint(0, vocab, [batch, tokens], generator: new Generator(1, CPU));
        var a = randn(stepTokens, hidden);
        var b = randn(hidden, inter);
        var sa = randn(2048, 2048);
        var sb = randn(2048, 2048);
        void Forward()
        {
            using var noGrad = no_grad();
            _ = model.Forward(ids).Values.sum().item<float>();
        }
        void Train()
        {
            var loss = model.Forward(ids).ValueLogits.mean();
            loss.backward();
            foreach (var p in model.parameters()) p.grad = null;
        }
        void MlpMatmul() => _ = a.matmul(b).sum().item<float>();
        void SquareMatmul() => _ = sa.matmul(sb).sum().item<float>();

        // Warm-up: the first steps run well below steady state (libtorch and the allocator settle over a few steps),
        // so run several of each before timing. The machine may be shared: measure the reference matmuls right next
        // to the model steps and compare per round; each figure is the mean over `steps` consecutive calls.
        for (int i = 0; i < warmup; i++) { Forward(); Train(); MlpMatmul(); SquareMatmul(); }
        var rounds = new List<(Timing Fwd, Timing Train, Timing Mlp, Timing Square)>();
        for (int i = 0; i < repeats; i++)
            rounds.Add((Time(Forward, steps), Time(Train, steps), Time(MlpMatmul, steps), Time(SquareMatmul, steps)));

        double squareFlops = 2.0 * 2048 * 2048 * 2048, mlpFlops = 2.0 * stepTokens * hidden * inter;
        double forwardFlops = stepTokens * forwardFlopsPerToken, trainFlops = 3 * forwardFlops;
        Console.WriteLine($"config: hidden {hidden}, {layers} layers, {heads} heads / {kvHeads} kv heads, intermediate {inter}, batch {batch} × {tokens} tokens, float32, {settings.Threads} threads, cpu heap tuned: {TorchRuntime.Report?.HeapTuned}; {warmup} warm-up steps, mean of {steps} steps per figure");
        Console.WriteLine($"forward FLOPs/token {forwardFlopsPerToken / 1e6:0.00} M (linear {2.0 * linear / 1e6:0.00} M + causal attention {attention / 1e6:0.00} M); forward+backward = 3 × forward");
        Console.WriteLine("round | forward tok/s GFLOP/s | fwd+bwd tok/s GFLOP/s | matmul 2048² GFLOP/s | matmul MLP-shaped GFLOP/s | fwd % | fwd+bwd % | fwd % (CPU time) | fwd+bwd % (CPU time)");
        var percents = new List<(double Fwd, double Train, double FwdCpu, double TrainCpu)>();
        foreach (var (r, i) in rounds.Select((r, i) => (r, i)))
        {
            double fwd = forwardFlops / r.Fwd.Wall / 1e9, train = trainFlops / r.Train.Wall / 1e9;
            double square = squareFlops / r.Square.Wall / 1e9, mlp = mlpFlops / r.Mlp.Wall / 1e9;
            double reference = Math.Max(square, mlp);
            // The same ratio over process CPU time: what is left of it when neighbours take a share of the cores.
            double referenceCpu = Math.Max(squareFlops / r.Square.Cpu, mlpFlops / r.Mlp.Cpu);
            var p = (100 * fwd / reference, 100 * train / reference,
                100 * forwardFlops / r.Fwd.Cpu / referenceCpu, 100 * trainFlops / r.Train.Cpu / referenceCpu);
            percents.Add(p);
            Console.WriteLine($"{i + 1} | {stepTokens / r.Fwd.Wall:0} {fwd:0.0} | {stepTokens / r.Train.Wall:0} {train:0.0} | {square:0.0} | {mlp:0.0} | {p.Item1:0}% | {p.Item2:0}% | {p.Item3:0}% | {p.Item4:0}%");
        }
        Console.WriteLine($"median over rounds: forward {Median(percents.Select(p => p.Fwd)):0}% of matmul, forward+backward {Median(percents.Select(p => p.Train)):0}% (CPU time: {Median(percents.Select(p => p.FwdCpu)):0}%, {Median(percents.Select(p => p.TrainCpu)):0}%)");
        return 0;
    }

    private readonly record struct Timing(double Wall, double Cpu);

    /// <summary>Mean wall and process CPU seconds per call over <paramref name="calls"/> consecutive calls.</summary>
    private static Timing Time(Action body, int calls)
    {
        var process = System.Diagnostics.Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++)
        {
            using var scope = NewDisposeScope();
            body();
        }
        double wall = clock.Elapsed.TotalSeconds / calls;
        process.Refresh();
        return new Timing(wall, (process.TotalProcessorTime - cpuBefore).TotalSeconds / calls);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
