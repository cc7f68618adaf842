using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>
/// The resumable state of a <c>Fit</c> in <c>CheckpointFolder</c>: <c>state.json</c> (steps done, epoch results, best
/// epoch), <c>trainable.safetensors</c> (the parameters the optimizer updates), <c>optimizer.bin</c> (AdamW's moments and
/// step counts) and, once validation picked an epoch, <c>best.safetensors</c>. A new checkpoint is written to a temporary
/// folder and swapped in, so a kill never leaves a half-written one. The data plan is a pure function of the seed, so
/// restoring these files and skipping the steps done continues the run exactly.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string StateFile = "state.json";
    private const string WeightsFile = "trainable.safetensors";
    private const string OptimizerFile = "optimizer.bin";
    private const string BestFile = "best.safetensors";
    private const string EmbeddingOptimizerFile = "embedding-optimizer.safetensors";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>What <c>state.json</c> holds.</summary>
    internal sealed record State(string RunKey, int Step, int EpochsDone, List<RewardHeadEpochResult> Epochs, int? BestEpoch, double BestMetric,
        int EpochsWithoutImprovement, bool StoppedEarly);

    public static string Current(string folder) => Path.Combine(folder, "checkpoint");

    public static void Save(string folder, State state, IReadOnlyList<(string Name, Tensor Tensor)> parameters, OptimizerHelper optimizer, TouchedRowsAdamW? embeddingOptimizer,
        Dictionary<string, Tensor>? best)
    {
        string target = Current(folder), temporary = target + ".tmp", old = target + ".old";
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        using (var stream = File.Create(Path.Combine(temporary, WeightsFile)))
            TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, parameters.ToDictionary(p => p.Name, p => p.Tensor), leaveOpen: true);
        optimizer.save_state_dict(Path.Combine(temporary, OptimizerFile));
        if (embeddingOptimizer is not null)
            using (var scope = NewDisposeScope())
            using (var stream = File.Create(Path.Combine(temporary, EmbeddingOptimizerFile)))
                TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, embeddingOptimizer.State(), leaveOpen: true);
        if (best is not null)
            using (var stream = File.Create(Path.Combine(temporary, BestFile)))
                TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, best, leaveOpen: true);
        File.WriteAllText(Path.Combine(temporary, StateFile), JsonSerializer.Serialize(state, Json));
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(target)) Directory.Move(target, old);
        Directory.Move(temporary, target);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>The saved state, or null when the folder holds no checkpoint. A checkpoint of another run (different data or options) is an error.</summary>
    public static State? TryLoadState(string folder, string runKey)
    {
        string target = Current(folder);
        // A kill between the two moves of Save leaves the previous checkpoint in .old: use it.
        if (!Directory.Exists(target) && Directory.Exists(target + ".old")) Directory.Move(target + ".old", target);
        string path = Path.Combine(target, StateFile);
        if (!File.Exists(path)) return null;
        State state;
        try
        {
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid checkpoint state ({e.Message}).", e);
        }
        if (state.RunKey != runKey)
            throw new InvalidOperationException($"RewardHead: the checkpoint in {folder} belongs to another run (different data or training options); use a new CheckpointFolder or delete it.");
        return state;
    }

    /// <summary>Restores the parameters and optimizer state of the checkpoint; returns the best epoch's weights when saved.</summary>
    public static Dictionary<string, Tensor>? Restore(string folder, IReadOnlyList<(string Name, Tensor Tensor)> parameters, OptimizerHelper optimizer, TouchedRowsAdamW? embeddingOptimizer)
    {
        string target = Current(folder);
        Copy(Path.Combine(target, WeightsFile), parameters.ToDictionary(p => p.Name, p => p.Tensor));
        optimizer.load_state_dict(Path.Combine(target, OptimizerFile));
        if (embeddingOptimizer is not null)
            using (var scope = NewDisposeScope())
            {
                var state = embeddingOptimizer.State();
                Copy(Path.Combine(target, EmbeddingOptimizerFile), state);
                embeddingOptimizer.Load(state);
            }
        string best = Path.Combine(target, BestFile);
        if (!File.Exists(best)) return null;
        var copies = parameters.ToDictionary(p => p.Name, p => p.Tensor.detach().clone().DetachFromDisposeScope());
        Copy(best, copies);
        return copies;
    }

    private static void Copy(string file, Dictionary<string, Tensor> into)
    {
        using var _ = no_grad();
        using var safetensors = Modeling.SafetensorsFile.Open(file);
        foreach (var (name, tensor) in into)
        {
            if (!safetensors.Entries.ContainsKey(name)) throw new InvalidDataException($"{file}: '{name}' is missing; the checkpoint does not fit this model.");
            safetensors.ReadInto(name, tensor);
        }
    }
}
