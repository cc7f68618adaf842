using System.Globalization;
using System.Text.Json;

namespace RewardML.Training;

/// <summary>The per-step log: one JSON object per optimizer step (step, epoch, loss, learning_rate, grad_norm, tokens, seconds), appended.</summary>
internal sealed class TrainingStepLog : IDisposable
{
    private readonly StreamWriter? _writer;

    public TrainingStepLog(string? path, int resumeStep)
    {
        if (path is null) return;
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        if (Directory.Exists(path)) throw new ArgumentException($"RewardHead: LogFile {path} is a directory; a file path is expected.");
        // On resume, keep the records of the steps the checkpoint holds and drop any written after it.
        var kept = resumeStep > 0 && File.Exists(path)
            ? File.ReadLines(path).Where(line => StepOf(line) is { } s && s <= resumeStep).ToList()
            : [];
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
        foreach (var line in kept) _writer.WriteLine(line);
    }

    public void Write(int step, int epoch, double loss, double learningRate, double gradientNorm, long tokens, double seconds)
    {
        if (_writer is null) return;
        var record = new Dictionary<string, object>
        {
            ["step"] = step, ["epoch"] = epoch, ["loss"] = loss, ["learning_rate"] = learningRate,
            ["grad_norm"] = gradientNorm, ["tokens"] = tokens, ["seconds"] = Math.Round(seconds, 4),
        };
        _writer.WriteLine(JsonSerializer.Serialize(record));
    }

    private static int? StepOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("step", out var s) && s.TryGetInt32(out int v) ? v : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _writer?.Dispose();
}
