using RewardML.Modeling;
using RewardML.Persistence;
using RewardML.Runtime;
using RewardML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Scoring;

/// <summary>
/// Writes and reads a reward model's weights in a model zip. A checkpoint backbone is saved as a reference (its folder
/// and <see cref="CheckpointFingerprint"/>) plus the trained parameters (<c>trainable.safetensors</c>: the trained layers
/// and the value head), like <see cref="PhiFineTunedCheckpoint"/>; loading needs the same base checkpoint. With
/// <c>EmbedBackbone</c>, and always for the built-in tiny backbone, every parameter is saved (<c>model.safetensors</c>)
/// and the zip is self-contained.
/// </summary>
internal static class RewardHeadModelStore
{
    /// <summary>Overrides the base checkpoint folder a model zip refers to (e.g. the same checkpoint at another path).</summary>
    public const string BaseCheckpointVariable = "REWARDML_BASE_CHECKPOINT";

    private const string BackboneEntry = "backbone.json";
    private const string ConfigEntry = "config.json";
    private const string TrainableEntry = "trainable.safetensors";
    private const string FullEntry = "model.safetensors";

    /// <summary>What <c>backbone.json</c> records.</summary>
    internal sealed record BackboneRecord(RewardBackbone Backbone, string? Fingerprint, bool Embedded, IReadOnlyList<string> TrainedParameters, double ValueHeadDropout);

    public static void Save(ComponentStateWriter writer, PhiRewardModel model, BackboneRecord record)
    {
        writer.WriteJson(BackboneEntry, record);
        writer.WriteBytes(ConfigEntry, System.Text.Encoding.UTF8.GetBytes(model.Config.ToJson()));
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        var chosen = record.Embedded ? parameters : record.TrainedParameters.ToDictionary(k => k, k => parameters[k], StringComparer.Ordinal);
        writer.WriteStream(record.Embedded ? FullEntry : TrainableEntry, stream => TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, chosen, leaveOpen: true));
    }

    private static readonly AsyncLocal<Func<ComputeOptions, ComputeOptions>?> ComputeOverride = new();

    /// <summary>Until disposed, models loaded on this flow run on <paramref name="compute"/>(saved options) instead of the saved options.</summary>
    internal static IDisposable OverrideCompute(Func<ComputeOptions, ComputeOptions> compute)
    {
        var previous = ComputeOverride.Value;
        ComputeOverride.Value = compute;
        return new Restore(() => ComputeOverride.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    public static (PhiRewardModel Model, BackboneRecord Record) Load(ComponentStateReader reader, ComputeOptions compute)
    {
        if (ComputeOverride.Value is { } overriding) compute = overriding(compute);
        var record = reader.ReadJson<BackboneRecord>(BackboneEntry);
        var config = PhiConfig.Parse(System.Text.Encoding.UTF8.GetString(reader.ReadBytes(ConfigEntry)), $"{reader.Source}/{ConfigEntry}");
        var options = new PhiRewardModelOptions { ValueHeadDropout = record.ValueHeadDropout };
        PhiRewardModel model;
        if (record.Embedded)
        {
            var settings = compute.Resolve();
            model = new PhiRewardModel(config, settings.DType, settings.Device, options);
        }
        else
        {
            string folder = Environment.GetEnvironmentVariable(BaseCheckpointVariable) is { Length: > 0 } overridden ? overridden : record.Backbone.Path!;
            if (!Directory.Exists(folder) || !File.Exists(Path.Combine(folder, "config.json")))
                throw new InvalidDataException($"{reader.Source}: the base checkpoint {folder} is missing; this model was trained on it (fingerprint {record.Fingerprint}). " +
                    $"Put it back, point {BaseCheckpointVariable} at a copy, or save the model with EmbedBackbone.");
            string found = CheckpointFingerprint.Of(folder);
            if (record.Fingerprint is not null && found != record.Fingerprint)
                throw new InvalidDataException($"{reader.Source}: the base checkpoint {folder} (fingerprint {found}) is not the one this model was trained on (fingerprint {record.Fingerprint}).");
            model = PhiCheckpoint.Load(folder, compute, options);
        }
        try
        {
            string entry = record.Embedded ? FullEntry : TrainableEntry;
            reader.ReadStream(entry, stream =>
            {
                var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
                using var file = SafetensorsFile.Open(stream, $"{reader.Source}/{entry}");
                var unknown = file.Entries.Keys.Where(k => !parameters.ContainsKey(k)).ToList();
                if (unknown.Count > 0) throw new InvalidDataException($"{reader.Source}/{entry}: keys the model does not have: {string.Join(", ", unknown.Take(8))}.");
                if (record.Embedded && file.Entries.Count != parameters.Count)
                    throw new InvalidDataException($"{reader.Source}/{entry}: {file.Entries.Count} tensors, the model has {parameters.Count}.");
                foreach (var key in file.Entries.Keys) file.ReadInto(key, parameters[key]);
                return 0;
            });
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return (model, record);
    }
}
