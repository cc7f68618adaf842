using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RewardML.Rollouts;

/// <summary>
/// Reads and writes <c>rollouts.jsonl</c>. While a run generates, finished rollouts are appended one line at a time
/// (so an interrupted run loses at most the line being written); at the end the file is rewritten in a canonical
/// order (problem order of the input, then rollout id), so the same inputs and seed give a byte-identical file.
/// </summary>
public static class RolloutFile
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep code readable; JSONL needs no HTML escaping
        WriteIndented = false,
    };

    /// <summary>Reads a rollouts file; a missing file reads as empty.</summary>
    /// <returns>The rollouts, and one <c>file:line N: reason</c> entry per unreadable line (such as a line cut short by an interrupted run).</returns>
    public static (List<RolloutRecord> Rollouts, List<string> BadLines) Read(string path)
    {
        var rollouts = new List<RolloutRecord>();
        var bad = new List<string>();
        if (!File.Exists(path)) return (rollouts, bad);

        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                rollouts.Add(JsonSerializer.Deserialize<RolloutRecord>(line, Json) ?? throw new JsonException("null row"));
            }
            catch (JsonException e)
            {
                bad.Add($"{path}:line {lineNumber}: {e.Message}");
            }
        }
        return (rollouts, bad);
    }

    /// <summary>Writes <paramref name="rollouts"/> (in the given order) to a temporary file, then replaces <paramref name="path"/>.</summary>
    public static void WriteAll(string path, IEnumerable<RolloutRecord> rollouts)
    {
        string temporary = path + ".tmp";
        using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(false)))
        {
            writer.NewLine = "\n";
            foreach (var rollout in rollouts) writer.WriteLine(JsonSerializer.Serialize(rollout, Json));
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Opens <paramref name="path"/> for appending lines, first ending a line cut short by an earlier interrupted run.</summary>
    internal static StreamWriter OpenForAppend(string path)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        bool needsNewline = false;
        if (File.Exists(path) && new FileInfo(path).Length > 0)
        {
            using var read = File.OpenRead(path);
            read.Seek(-1, SeekOrigin.End);
            needsNewline = read.ReadByte() != '\n';
        }
        var writer = new StreamWriter(path, append: true, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
        if (needsNewline) writer.WriteLine();
        return writer;
    }

    internal static string Serialize(RolloutRecord rollout) => JsonSerializer.Serialize(rollout, Json);
}
