using System.Globalization;
using RewardML.Pretraining;

namespace RewardML.Cli.Training;

/// <summary>Pretraining progress as lines: one per validation and about every tenth of the steps, readable in a terminal and in a captured log.</summary>
internal sealed class PretrainingProgressLines(int steps, string indent = "") : IProgress<PretrainingProgress>
{
    private readonly int _every = Math.Max(1, steps / 10);

    /// <summary>The last step reported (for the message of a stopped run).</summary>
    public int? LastStep { get; private set; }

    public void Report(PretrainingProgress p)
    {
        LastStep = p.Step;
        if (p.ValidationLoss is null && p.Step % _every != 0) return;
        string validation = p.ValidationLoss is { } v ? string.Create(CultureInfo.InvariantCulture, $", validation loss {v:0.###}") : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{indent}step {p.Step}/{p.Steps} loss {p.Loss:0.###}{validation}, {p.TokensPerSecond:0} tokens/s, {p.Elapsed:hh\\:mm\\:ss}"));
    }
}
