using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>
/// The resumable state of a training run in its checkpoint folder (a reward head's <c>Fit</c>, or pretraining):
/// <c>state.json</c> (the run's own record: steps done and, for <c>Fit</c>, epoch results and best epoch), <c>trainable.safetensors</c> (the parameters the optimizer updates), <c>optimizer.bin</c> (AdamW's moments and
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

    /// <summary>What every run's <c>state.json</c> has: the key of the run it belongs to and the steps done.</summary>
    internal interface IRunState
    {
        string RunKey { get; }
        int Step { get; }
    }

    /// <summary>What a reward head's <c>state.json</c> holds.</summary>
    internal sealed record State(string RunKey, int Step, int EpochsDone, List<RewardHeadEpochResult> Epochs, int? BestEpoch, double BestMetric,
        int EpochsWithoutImprovement, bool StoppedEarly) : IRunState;

    public static string Current(string folder) => Path.Combine(folder, "checkpoint");

    public static void Save<TState>(string folder, TState state, IReadOnlyList<(string Name, Tensor Tensor)> parameters, OptimizerHelper optimizer, TouchedRowsAdamW? embeddingOptimizer,
        Dictionary<string, Tensor>? best) where TState : IRunState
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

    /// <summary>Removes the checkpoint of <paramref name="folder"/> (and a half-swapped one), once its run is complete.</summary>
    public static void Delete(string folder)
    {
        foreach (string path in new[] { Current(folder), Current(folder) + ".tmp", Current(folder) + ".old" })
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }

    /// <summary>The saved state, or null when the folder holds no checkpoint. A checkpoint of another run (different data or options) is an error.</summary>
    public static TState? TryLoadState<TState>(string folder, string runKey) where TState : class, IRunState
    {
        string target = Current(folder);
        // A kill between the two moves of Save leaves the previous checkpoint in .old: use it.
        if (!Directory.Exists(target) && Directory.Exists(target + ".old")) Directory.Move(target + ".old", target);
        string path = Path.Combine(target, StateFile);
        if (!File.Exists(path)) return null;
        TState state;
        try
        {
            state = JsonSerializer.Deserialize<TState>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid checkpoint state ({e.Message}).", e);
        }
        if (state.RunKey != runKey)
            throw new InvalidOperationException($"The checkpoint in {folder} belongs to another run (different data or training options); use a new checkpoint folder or delete it.");
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
