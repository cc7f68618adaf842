using System.Text.Json;
using System.Text.Json.Nodes;
using RewardML.Modeling;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tokenization;

namespace RewardML.Interop;

/// <summary>
/// The layout of a Hugging Face folder that holds a reward model (what <see cref="RewardHeadExport"/> writes and
/// <see cref="RewardHeadImport"/> reads): <c>config.json</c>, <c>model.safetensors</c> with the decoder under Hugging Face
/// keys and the value head under TRL's <c>AutoModelForCausalLMWithValueHead</c> keys, tokenizer files, <c>rewardml.json</c>.
/// </summary>
public static class HuggingFaceFolder
{
    /// <summary>The backbone config (Hugging Face <c>config.json</c>, <c>model_type: phi3</c>).</summary>
    public const string ConfigFile = "config.json";

    /// <summary>The weights file export writes (import also reads sharded <c>model-0000i-of-0000n.safetensors</c>).</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>RewardML's record of the chain: SegmentSteps and TokenizeForReward options and the scoring options.</summary>
    public const string ManifestFile = "rewardml.json";

    /// <summary>TRL's value-head weight key (<c>ValueHead.summary</c>, a <c>Linear(hidden, 1)</c>).</summary>
    public const string TrlValueHeadWeight = "v_head.summary.weight";

    /// <summary>TRL's value-head bias key.</summary>
    public const string TrlValueHeadBias = "v_head.summary.bias";

    internal const string OurValueHeadWeight = "value_head.weight";
    internal const string OurValueHeadBias = "value_head.bias";

    /// <summary>Our state-dict key → the key in the Hugging Face folder (only the value head is renamed).</summary>
    public static string ToHuggingFaceKey(string key) => key switch
    {
        OurValueHeadWeight => TrlValueHeadWeight,
        OurValueHeadBias => TrlValueHeadBias,
        _ => key,
    };

    /// <summary>A key in a Hugging Face folder → our state-dict key (TRL's <c>v_head.summary.*</c> and our own <c>value_head.*</c> both map to the value head).</summary>
    public static string FromHuggingFaceKey(string key) => key switch
    {
        TrlValueHeadWeight => OurValueHeadWeight,
        TrlValueHeadBias => OurValueHeadBias,
        _ => key,
    };
}

/// <summary>The content of <c>rewardml.json</c> (see <see cref="HuggingFaceFolder.ManifestFile"/>).</summary>
internal sealed class RewardHeadManifest
{
    public const string FormatName = "RewardML.HuggingFaceRewardModel";
    public const int CurrentFormatVersion = 1;

    public string Format { get; set; } = FormatName;
    public int FormatVersion { get; set; } = CurrentFormatVersion;

    /// <summary>How the value head is stored: <c>trl</c> (<c>v_head.summary.weight</c> [1, hidden], <c>v_head.summary.bias</c> [1]).</summary>
    public string ValueHeadLayout { get; set; } = "trl";

    /// <summary>The backbone the model was trained on (for the record; the folder's weights are complete).</summary>
    public JsonNode? Backbone { get; set; }

    /// <summary>SegmentSteps' options as in the model zip's <c>options.json</c>; null when the chain had none.</summary>
    public SegmentStepsEstimator.Options? SegmentSteps { get; set; }

    /// <summary>TokenizeForReward's options; a folder tokenizer's files are beside this file.</summary>
    public TokenizeForRewardEstimator.Options? TokenizeForReward { get; set; }

    /// <summary>The RewardHead scoring options (aggregation, temperature, threshold, columns, batching, compute).</summary>
    public RewardHeadScoringOptions Scoring { get; set; } = new();

    public static JsonSerializerOptions Json => ComponentStateJson.Options;

    public static RewardHeadManifest Read(string path)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<RewardHeadManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty.");
            if (manifest.Format != FormatName)
                throw new InvalidDataException($"{path}: format '{manifest.Format}', expected '{FormatName}'.");
            if (manifest.FormatVersion > CurrentFormatVersion)
                throw new InvalidDataException($"{path}: format version {manifest.FormatVersion} is newer than this RewardML reads ({CurrentFormatVersion}).");
            if (manifest.ValueHeadLayout != "trl")
                throw new InvalidDataException($"{path}: value head layout '{manifest.ValueHeadLayout}'; supported: trl.");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a {HuggingFaceFolder.ManifestFile} ({e.Message}).", e);
        }
    }

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}
