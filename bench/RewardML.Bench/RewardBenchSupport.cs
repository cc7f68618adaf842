using System.Diagnostics;
using Microsoft.ML.Data;
using RewardML.Training;

namespace RewardML.Bench;

/// <summary>A row as TokenizeForReward writes it (the columns the reward head reads).</summary>
public sealed class BenchRewardRow
{
    [VectorType]
    public int[] Tokens { get; set; } = [];

    [VectorType]
    public int[] StepTokenEnds { get; set; } = [];

    public bool Label { get; set; }
}

/// <summary>The <c>StepScores</c> column read back from a scored view.</summary>
public sealed class BenchScoredRow
{
    [VectorType]
    public float[] StepScores { get; set; } = [];
}

/// <summary>Rows, model sizes and timing shared by the reward-head benchmarks.</summary>
internal static class RewardBenchSupport
{
    /// <summary>
    /// <paramref name="count"/> programs of <paramref name="minTokens"/>–<paramref name="maxTokens"/> tokens (random ids below
    /// <paramref name="vocab"/>): a prompt of 10 % of the row, then the code cut into <paramref name="steps"/> steps of about
    /// equal length (±25 % jitter); the last step ends at the last token. Label random.
    /// </summary>
    public static List<BenchRewardRow> Rows(int count, int minTokens, int maxTokens, int steps, int vocab, int seed)
    {
        var random = new Random(seed);
        var rows = new List<BenchRewardRow>(count);
        for (int r = 0; r < count; r++)
        {
            int length = random.Next(minTokens, maxTokens + 1);
            var tokens = new int[length];
            for (int i = 0; i < length; i++) tokens[i] = random.Next(vocab);
            int codeStart = length / 10, codeLength = length - codeStart;
            var ends = new int[steps];
            double stepLength = codeLength / (double)steps;
            for (int k = 0; k < steps; k++)
            {
                double jitter = k == steps - 1 ? 0 : (random.NextDouble() - 0.5) * 0.5 * stepLength;
                ends[k] = Math.Clamp(codeStart + (int)Math.Round((k + 1) * stepLength + jitter) - 1, k == 0 ? codeStart : ends[k - 1] + 1, length - 1);
            }
            ends[^1] = length - 1;
            rows.Add(new BenchRewardRow { Tokens = tokens, StepTokenEnds = ends, Label = random.Next(2) == 1 });
        }
        return rows;
    }

    /// <summary>The tiny Phi-architecture backbone at a realistic small size (default hidden 256, 4 layers, Phi-4 vocabulary).</summary>
    public static RewardBackbone Backbone(Options options)
    {
        int hidden = options.Int("hidden", 256), layers = options.Int("layers", 4);
        int heads = Math.Max(1, hidden / 64), kvHeads = Math.Max(1, heads / 2);
        var spec = new TinyPhiSpec(VocabSize: options.Int("vocab", Tokenization.PhiSpecialTokens.Phi4VocabularySize), HiddenSize: hidden, NumLayers: layers,
            IntermediateSize: 4 * hidden, NumHeads: heads, NumKeyValueHeads: kvHeads, MaxPositions: 4096);
        return RewardBackbone.CreateTiny(spec, seed: 1);
    }

    public static string Describe(RewardBackbone backbone)
    {
        var t = backbone.Tiny!;
        return $"tiny Phi: vocab {t.VocabSize}, hidden {t.HiddenSize}, {t.NumLayers} layers, {t.NumHeads} heads / {t.NumKeyValueHeads} kv heads, intermediate {t.IntermediateSize}, float32";
    }

    public static string RowSummary(IReadOnlyList<BenchRewardRow> rows) =>
        $"{rows.Count} programs, {rows.Min(r => r.Tokens.Length)}–{rows.Max(r => r.Tokens.Length)} tokens (mean {rows.Average(r => r.Tokens.Length):0}, total {rows.Sum(r => r.Tokens.Length)}), {rows[0].StepTokenEnds.Length} steps each";

    public readonly record struct Timing(double Wall, double Cpu);

    /// <summary>Wall and process CPU seconds of one call of <paramref name="body"/>.</summary>
    public static Timing Time(Action body)
    {
        var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        body();
        double wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new Timing(wall, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The 1-minute load average (the machine is shared: printed with every round).</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    public static long[] AsLong(int[] ids, int count)
    {
        var result = new long[count];
        for (int i = 0; i < count; i++) result[i] = ids[i];
        return result;
    }
}
