using System.Diagnostics;
using RewardML.Modeling;
using RewardML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Bench;

/// <summary>Loads a checkpoint in one compute dtype and reports load time, peak RSS and forward tokens/s.</summary>
internal static class PhiLoadForwardBench
{
    public static int Run(Options options)
    {
        string dir = options.String("checkpoint");
        string dtype = options.String("dtype", "float32");
        int tokens = options.Int("tokens", 512);
        int repeats = options.Int("repeats", 1);
        var compute = new ComputeOptions { Device = "cpu", DType = dtype };
        var settings = compute.Resolve();
        var (_, rssBefore) = PeakMemory.Read();

        var clock = Stopwatch.StartNew();
        using var model = PhiCheckpoint.Load(dir, compute);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        var (peakAfterLoad, rssAfterLoad) = PeakMemory.Read();
        long parameterBytes = model.parameters().Sum(p => p.numel() * p.element_size());

        var ids = randint(0, model.Config.VocabSize, [1, tokens], generator: new Generator(7, CPU));
        var times = new List<double>();
        using (no_grad())
        {
            using (NewDisposeScope()) _ = model.Forward(ids.narrow(1, 0, 8)).Values.sum().item<float>(); // warm-up: kernels, allocator
            for (int i = 0; i < repeats; i++)
            {
                using var scope = NewDisposeScope();
                clock.Restart();
                var values = model.Forward(ids).Values;
                _ = values.sum().item<float>();
                times.Add(clock.Elapsed.TotalSeconds);
            }
        }
        var (peak, rss) = PeakMemory.Read();
        double best = times.Min();
        double goal = 1.15 * parameterBytes + 1e9;
        Console.WriteLine($"dtype {dtype}, threads {settings.Threads}, {model.ParameterCount:N0} parameters = {PeakMemory.Gb(parameterBytes)} in {dtype}");
        Console.WriteLine($"load: {loadSeconds:0.0} s; RSS before load {PeakMemory.Gb(rssBefore)}, after load {PeakMemory.Gb(rssAfterLoad)} (peak so far {PeakMemory.Gb(peakAfterLoad)})");
        Console.WriteLine($"forward {tokens} tokens (values, no logits): {string.Join(", ", times.Select(t => $"{t:0.00} s"))} → {tokens / best:0.0} tokens/s (best of {repeats})");
        Console.WriteLine($"peak RSS {PeakMemory.Gb(peak)} (VmHWM); goal ≤ 1.15 × {PeakMemory.Gb(parameterBytes)} + 1 GB = {PeakMemory.Gb((long)goal)} → {(peak <= goal ? "met" : "NOT met")}");
        return 0;
    }
}
