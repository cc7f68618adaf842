using System.Text.Json;
using System.Text.Json.Nodes;
using RewardML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Saves a fine-tuned <see cref="PhiRewardModel"/> as the difference from its base checkpoint: the trained
/// parameters (by default those with <c>requires_grad</c>, always including the value head) in
/// <c>trainable.safetensors</c>, and <c>reward_model.json</c> with the base checkpoint's path and its
/// <c>config.json</c>. Loading reads the base checkpoint again and overlays the saved parameters, so a model
/// whose last 12 layers were trained carries 12 layers, not the whole base.
/// </summary>
public static class PhiFineTunedCheckpoint
{
    /// <summary>Manifest file name.</summary>
    public const string ManifestFileName = "reward_model.json";

    /// <summary>Weights file name.</summary>
    public const string WeightsFileName = "trainable.safetensors";

    /// <summary>Format tag written into the manifest.</summary>
    public const string Format = "rewardml.phi-reward-model";

    /// <summary>Writes <paramref name="model"/>'s trained parameters and manifest into <paramref name="directory"/>.</summary>
    /// <param name="model">The fine-tuned model.</param>
    /// <param name="directory">Target folder (created if needed).</param>
    /// <param name="baseCheckpoint">The Hugging Face checkpoint folder the model was loaded from; stored as given
    /// (a relative path is resolved against <paramref name="directory"/> when loading).</param>
    /// <param name="keys">State-dict keys to save; null = trainable parameters plus the value head.</param>
    public static void Save(PhiRewardModel model, string directory, string baseCheckpoint, IEnumerable<string>? keys = null)
    {
        Directory.CreateDirectory(directory);
        var names = SelectKeys(model, keys);
        File.WriteAllBytes(Path.Combine(directory, WeightsFileName), SaveParameters(model, names));
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["version"] = 1,
            ["base_checkpoint"] = baseCheckpoint,
            ["value_head_dropout"] = model.Options.ValueHeadDropout,
            ["parameters"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray()),
            ["config"] = JsonNode.Parse(model.Config.ToJson()),
        };
        File.WriteAllText(Path.Combine(directory, ManifestFileName), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Loads a model saved by <see cref="Save"/>: its base checkpoint, then the saved parameters on top.</summary>
    /// <param name="directory">The folder <see cref="Save"/> wrote.</param>
    /// <param name="compute">Device and dtype; null = CPU float32.</param>
    /// <param name="baseCheckpoint">Overrides the base checkpoint path stored in the manifest (e.g. on another machine).</param>
    /// <exception cref="InvalidDataException">The manifest is invalid, the base does not match the saved config, or a saved key is unknown.</exception>
    public static PhiRewardModel Load(string directory, ComputeOptions? compute = null, string? baseCheckpoint = null)
    {
        string manifestPath = Path.Combine(directory, ManifestFileName);
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"{manifestPath}: not found (a folder written by PhiFineTunedCheckpoint.Save is expected).", manifestPath);
        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(File.ReadAllText(manifestPath)) as JsonObject ?? throw new InvalidDataException($"{manifestPath}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{manifestPath}: invalid JSON ({e.Message}).", e);
        }
        if ((string?)manifest["format"] != Format) throw new InvalidDataException($"{manifestPath}: format is not '{Format}'.");
        string stored = (string?)manifest["base_checkpoint"] ?? throw new InvalidDataException($"{manifestPath}: 'base_checkpoint' is missing.");
        string basePath = baseCheckpoint ?? (Path.IsPathRooted(stored) ? stored : Path.GetFullPath(Path.Combine(directory, stored)));
        var savedConfig = PhiConfig.Parse(manifest["config"]?.ToJsonString() ?? "null", manifestPath + " config");

        var options = new PhiRewardModelOptions { ValueHeadDropout = (double?)manifest["value_head_dropout"] ?? 0 };
        var model = PhiCheckpoint.Load(basePath, compute, options);
        try
        {
            if (Shape(model.Config) != Shape(savedConfig))
                throw new InvalidDataException($"{basePath}: base checkpoint ({model.Config}) does not match the fine-tuned model's config ({savedConfig}) in {manifestPath}.");
            LoadParameters(model, File.ReadAllBytes(Path.Combine(directory, WeightsFileName)), Path.Combine(directory, WeightsFileName));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>The chosen parameters as safetensors bytes (for the model zip).</summary>
    /// <param name="model">The model.</param>
    /// <param name="keys">State-dict keys; null = trainable parameters plus the value head.</param>
    public static byte[] SaveParameters(PhiRewardModel model, IEnumerable<string>? keys = null)
    {
        var names = SelectKeys(model, keys);
        var all = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        var chosen = names.ToDictionary(n => n, n => all.TryGetValue(n, out var t) ? t : throw new ArgumentException($"'{n}' is not a parameter of the model."));
        using var stream = new MemoryStream();
        TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, chosen, leaveOpen: true);
        return stream.ToArray();
    }

    /// <summary>Copies parameters from safetensors bytes into <paramref name="model"/> (converting dtypes).</summary>
    /// <exception cref="InvalidDataException">A key is not a parameter of the model, or its shape differs.</exception>
    public static void LoadParameters(PhiRewardModel model, byte[] safetensors, string source)
    {
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        using var file = SafetensorsFile.Open(new MemoryStream(safetensors, writable: false), source);
        var unknown = file.Entries.Keys.Where(k => !parameters.ContainsKey(k)).ToList();
        if (unknown.Count > 0) throw new InvalidDataException($"{source}: keys that the model does not have: {string.Join(", ", unknown.Take(8))}.");
        foreach (var key in file.Entries.Keys) file.ReadInto(key, parameters[key]);
    }

    private static List<string> SelectKeys(PhiRewardModel model, IEnumerable<string>? keys) =>
        (keys ?? model.TrainableParameters().Select(p => p.Name).Concat(PhiRewardModel.ValueHeadKeys)).Distinct().ToList();

    private static (int, int, int, int, int, int, int) Shape(PhiConfig c) =>
        (c.VocabSize, c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim);
}
