using System.Text.Json;
using RewardML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Loads a Hugging Face Phi-3/Phi-4 checkpoint folder (<c>config.json</c> plus <c>model.safetensors</c>, or shards
/// listed in <c>model.safetensors.index.json</c>) into a <see cref="PhiRewardModel"/>.
/// </summary>
/// <remarks>
/// Weights stored as float32, bfloat16 or float16 are converted to the compute dtype of <see cref="ComputeOptions"/>
/// while they are read, tensor by tensor, into the model's empty parameters: the model is never held twice.
/// Every decoder key must be present and no other key may be (the value head is the only optional one; an
/// <c>lm_head.weight</c> next to tied embeddings is ignored, as transformers does).
/// </remarks>
public static class PhiCheckpoint
{
    /// <summary>The single-file weights name.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The shard index name.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Loads the checkpoint in <paramref name="directory"/>.</summary>
    /// <param name="directory">A Hugging Face checkpoint folder.</param>
    /// <param name="compute">Device and dtype; null = CPU float32.</param>
    /// <param name="options">Value-head options; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">config.json or the weights are missing.</exception>
    /// <exception cref="InvalidDataException">The config is unsupported, or keys are missing, unexpected or mis-shaped.</exception>
    public static PhiRewardModel Load(string directory, ComputeOptions? compute = null, PhiRewardModelOptions? options = null)
    {
        var settings = (compute ?? new ComputeOptions { Device = "cpu" }).Resolve();
        var config = PhiConfig.Load(directory);
        ConfigWeightsCheck.Require(config, Headers(directory), Path.Combine(directory, "config.json"), directory); // before allocating
        var model = new PhiRewardModel(config, settings.DType, settings.Device, options);
        try
        {
            LoadWeights(model, directory);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Which file holds each tensor of the checkpoint in <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">Neither model.safetensors nor its index is there.</exception>
    public static IReadOnlyDictionary<string, string> WeightFiles(string directory)
    {
        string index = Path.Combine(directory, IndexFileName);
        string single = Path.Combine(directory, SingleFileName);
        if (File.Exists(index))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(index));
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{index}: no 'weight_map' object.");
            return map.EnumerateObject().ToDictionary(p => p.Name, p => Path.Combine(directory, p.Value.GetString() ?? ""), StringComparer.Ordinal);
        }
        if (File.Exists(single))
        {
            using var file = SafetensorsFile.Open(single);
            return file.Entries.Keys.ToDictionary(k => k, _ => single, StringComparer.Ordinal);
        }
        throw new FileNotFoundException($"{directory}: neither {SingleFileName} nor {IndexFileName} found.", single);
    }

    /// <summary>The tensor headers of every weight file of <paramref name="directory"/>, by key (no tensor is read).</summary>
    internal static Dictionary<string, SafetensorsEntry> Headers(string directory)
    {
        var headers = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        foreach (string path in WeightFiles(directory).Values.Distinct().Where(File.Exists))
        {
            using var file = SafetensorsFile.Open(path);
            foreach (var (key, entry) in file.Entries) headers.TryAdd(key, entry);
        }
        return headers;
    }

    /// <summary>Describes the checkpoint in <paramref name="directory"/> from its config and safetensors headers,
    /// without loading any weight.</summary>
    /// <exception cref="FileNotFoundException">config.json or the weights are missing.</exception>
    /// <exception cref="InvalidDataException">The config is unsupported or a weight file is unreadable.</exception>
    public static PhiCheckpointInfo Describe(string directory)
    {
        var config = PhiConfig.Load(directory);
        var files = WeightFiles(directory);
        long parameters = 0;
        var dtypes = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in files.GroupBy(f => f.Value))
        {
            if (!File.Exists(group.Key)) throw new FileNotFoundException($"{group.Key}: shard named in {IndexFileName} is missing.", group.Key);
            using var file = SafetensorsFile.Open(group.Key);
            foreach (var (key, _) in group)
            {
                if (!file.Entries.TryGetValue(key, out var e)) throw new InvalidDataException($"{group.Key}: tensor '{key}' (listed in {IndexFileName}) is not in this shard.");
                long n = e.Shape.Aggregate(1L, (a, b) => a * b);
                parameters += n;
                dtypes[e.DType] = dtypes.GetValueOrDefault(e.DType) + n;
            }
        }
        return new PhiCheckpointInfo(config, files.Count, files.Values.Distinct().Count(), parameters, dtypes);
    }

    /// <summary>Reads the weights of <paramref name="directory"/> into <paramref name="model"/>'s parameters.</summary>
    internal static void LoadWeights(PhiRewardModel model, string directory)
    {
        var files = WeightFiles(directory);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var ignored = model.Config.TieWordEmbeddings ? new HashSet<string> { "lm_head.weight" } : [];
        var missing = parameters.Keys.Where(k => !files.ContainsKey(k) && !PhiRewardModel.ValueHeadKeys.Contains(k)).ToList();
        var unexpected = files.Keys.Where(k => !parameters.ContainsKey(k) && !ignored.Contains(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"{directory}: checkpoint keys do not match {model.Config}: " +
                $"missing [{Preview(missing)}], unexpected [{Preview(unexpected)}].");
        if (PhiRewardModel.ValueHeadKeys.Count(files.ContainsKey) == 1)
            throw new InvalidDataException($"{directory}: only one of {string.Join(", ", PhiRewardModel.ValueHeadKeys)} is present.");

        foreach (var group in files.Where(f => parameters.ContainsKey(f.Key)).GroupBy(f => f.Value))
        {
            if (!File.Exists(group.Key)) throw new FileNotFoundException($"{group.Key}: shard named in {IndexFileName} is missing.", group.Key);
            using var file = SafetensorsFile.Open(group.Key);
            // File order: sequential reads.
            foreach (var key in group.Select(g => g.Key).OrderBy(k => file.Entries.TryGetValue(k, out var e) ? e.Begin : -1))
            {
                if (!file.Entries.ContainsKey(key))
                    throw new InvalidDataException($"{group.Key}: tensor '{key}' (listed in {IndexFileName}) is not in this shard.");
                file.ReadInto(key, parameters[key]);
            }
        }
    }

    private static string Preview(List<string> keys) =>
        keys.Count <= 8 ? string.Join(", ", keys) : string.Join(", ", keys.Take(8)) + $", … ({keys.Count} in all)";
}

/// <summary>What <see cref="PhiCheckpoint.Describe"/> finds in a checkpoint folder.</summary>
/// <param name="Config">The resolved configuration.</param>
/// <param name="TensorCount">Number of stored tensors.</param>
/// <param name="FileCount">Number of safetensors files (shards).</param>
/// <param name="StoredParameters">Number of stored parameters (elements over all tensors).</param>
/// <param name="StoredDTypes">Stored elements by safetensors dtype (F32, BF16, F16).</param>
public sealed record PhiCheckpointInfo(PhiConfig Config, int TensorCount, int FileCount, long StoredParameters, IReadOnlyDictionary<string, long> StoredDTypes)
{
    /// <summary>Parameters of the model built from it: the decoder and LM head plus the value head (hidden + 1).</summary>
    public long ModelParameters => Config.ParameterCount + Config.HiddenSize + 1;

    /// <summary>Bytes the model's parameters take in <paramref name="dtype"/> (float32, bfloat16, float16).</summary>
    public long ParameterBytes(string dtype) => ModelParameters * (RewardML.Runtime.ComputeSettings.ParseDType(dtype) == TorchSharp.torch.ScalarType.Float32 ? 4 : 2);
}
