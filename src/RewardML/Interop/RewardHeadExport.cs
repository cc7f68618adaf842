using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tokenization;
using static TorchSharp.torch;

namespace RewardML.Interop;

/// <summary>
/// Writes a RewardHead model zip (SegmentSteps → TokenizeForReward → RewardHead) as a Hugging Face folder that
/// transformers' <c>AutoModelForCausalLM</c> and TRL's <c>AutoModelForCausalLMWithValueHead</c> load, and that
/// <see cref="RewardHeadImport"/> turns back into the same model zip.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// | file | content |
/// | -- | -- |
/// | `config.json` | the backbone's Hugging Face config (`model_type: phi3`), as the zip stores it |
/// | `model.safetensors` | every decoder weight under its Hugging Face key (`model.*`, `lm_head.weight` unless tied), in the model's dtype, plus the value head as `v_head.summary.weight` [1, hidden] and `v_head.summary.bias` [1] (float32) |
/// | `tokenizer.json`, `tokenizer_config.json` | when TokenizeForReward used a folder tokenizer (the copy stored in the zip) |
/// | `rewardml.json` | SegmentSteps' and TokenizeForReward's options and the scoring options (aggregation, temperature, threshold, …) |
///
/// The value at token i is σ(v_head.summary(h_i)) with h_i the decoder's final (normed) hidden state: TRL's value head
/// without its dropout (p = 0 in eval mode).
/// ]]></format>
/// </remarks>
public static class RewardHeadExport
{
    /// <summary>Exports the model zip at <paramref name="modelZip"/> into <paramref name="folder"/> (created; files in it are replaced).</summary>
    /// <exception cref="InvalidDataException">The zip cannot be loaded, or its last transformer is not a RewardHead.</exception>
    public static void ToHuggingFace(string modelZip, string folder)
    {
        var ml = new MLContext(seed: 0);
        var model = RewardMLComponents.Load(ml, modelZip, out _);
        try
        {
            ToHuggingFace(model, folder, modelZip);
        }
        finally
        {
            foreach (var t in Flatten(model)) (t as IDisposable)?.Dispose();
        }
    }

    /// <summary>Exports a loaded (or just fitted) chain whose last transformer is a <see cref="RewardHeadTransformer"/>.</summary>
    /// <exception cref="InvalidDataException">The last transformer is not a RewardHead.</exception>
    public static void ToHuggingFace(ITransformer model, string folder, string source = "model")
    {
        ArgumentNullException.ThrowIfNull(model);
        var chain = Flatten(model);
        if (chain.Count == 0 || chain[^1] is not RewardHeadTransformer head)
            throw new InvalidDataException(chain.Any(t => t is RewardHeadTransformer)
                ? $"{source}: the reward head is followed by other transforms (an ensemble such as train --ensemble saves), which a Hugging Face value-head folder cannot hold; export the reward model zip it was made from."
                : $"{source}: the last transformer is {(chain.Count == 0 ? "missing" : chain[^1].GetType().Name)}, not a RewardHead; export-model needs a model zip made by `rewardml train` or RewardHeadTrainer.");
        var segment = chain.OfType<SegmentStepsTransformer>().LastOrDefault();
        var tokenize = chain.OfType<TokenizeForRewardTransformer>().LastOrDefault();
        Directory.CreateDirectory(folder);

        var manifest = new RewardHeadManifest
        {
            Backbone = JsonSerializer.SerializeToNode(head.Backbone, RewardHeadManifest.Json),
            Scoring = head.ScoringOptions,
        };
        if (segment is not null) manifest.SegmentSteps = ReadOptions<SegmentStepsEstimator.Options>(segment, out _);
        if (tokenize is not null)
        {
            manifest.TokenizeForReward = ReadOptions<TokenizeForRewardEstimator.Options>(tokenize, out var entries);
            // A folder tokenizer travels in the zip (TokenizeForReward saves its files): put them where Hugging Face looks.
            foreach (var (entry, file) in new[] { ("tokenizer/tokenizer.json", TokenizerJsonReader.TokenizerFile), ("tokenizer/tokenizer_config.json", TokenizerJsonReader.TokenizerConfigFile) })
                if (entries.TryGetValue(entry, out var bytes)) File.WriteAllBytes(Path.Combine(folder, file), bytes);
        }

        File.WriteAllText(Path.Combine(folder, HuggingFaceFolder.ConfigFile), head.Model.Config.ToJson());
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in head.Model.named_parameters())
            tensors.Add(HuggingFaceFolder.ToHuggingFaceKey(name), parameter);
        string weights = Path.Combine(folder, HuggingFaceFolder.WeightsFile);
        using (var stream = File.Create(weights))
            TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, tensors, leaveOpen: true);
        manifest.Write(Path.Combine(folder, HuggingFaceFolder.ManifestFile));
    }

    internal static List<ITransformer> Flatten(ITransformer model)
    {
        var list = new List<ITransformer>();
        void Add(ITransformer t)
        {
            if (t is IEnumerable<ITransformer> inner) foreach (var i in inner) Add(i);
            else list.Add(t);
        }
        Add(model);
        return list;
    }

    private static T ReadOptions<T>(IPersistableTransformer transformer, out IReadOnlyDictionary<string, byte[]> entries)
    {
        var writer = new ComponentStateWriter();
        transformer.SaveState(writer);
        entries = writer.Entries;
        return JsonSerializer.Deserialize<T>(entries["options.json"], RewardHeadManifest.Json)!;
    }
}
