using RewardML.Modeling;

namespace RewardML.Training;

/// <summary>Checks that a path is a Hugging Face checkpoint folder, with errors that say what the path is instead.</summary>
internal static class CheckpointFolder
{
    /// <summary>Returns <paramref name="path"/> when it is a folder with <c>config.json</c>.</summary>
    /// <exception cref="ArgumentException">It is a file, does not exist, or holds no config.json (subfolders that do are suggested).</exception>
    public static string Require(string path)
    {
        if (File.Exists(path)) throw new ArgumentException($"{path}: is a file; a checkpoint folder (config.json + safetensors) is expected.");
        if (!Directory.Exists(path)) throw new ArgumentException($"{path}: no such checkpoint folder.");
        if (File.Exists(System.IO.Path.Combine(path, "config.json"))) return path;
        var inner = Directory.GetDirectories(path).Where(d => File.Exists(System.IO.Path.Combine(d, "config.json")))
            .Select(d => System.IO.Path.GetFileName(d) + "/").Order(StringComparer.Ordinal).ToList();
        string hint = inner.Count > 0 ? $" (did you mean {string.Join(" or ", inner)}?)" : "";
        throw new ArgumentException($"{path}: not a Phi checkpoint folder, no config.json{hint}.");
    }
}
