using System.Text.Json.Serialization;
using RewardML.Modeling;
using RewardML.Runtime;
using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>
/// The decoder a reward head is trained on: a Hugging Face Phi-3/Phi-4 checkpoint folder (<see cref="FromCheckpoint"/>),
/// or the built-in tiny Phi-architecture model with seeded random weights (<see cref="CreateTiny"/>) for CPU demos and tests.
/// </summary>
/// <remarks>Serializes to JSON as <c>{"Kind":"checkpoint","Path":"/models/phi-4","Tiny":null,"Seed":0}</c>; saved in the model zip.</remarks>
public sealed record RewardBackbone
{
    /// <summary>Kind of a Hugging Face checkpoint folder.</summary>
    public const string CheckpointKind = "checkpoint";

    /// <summary>Kind of the built-in tiny model.</summary>
    public const string TinyKind = "tiny";

    /// <summary>Creates a backbone; prefer <see cref="FromCheckpoint"/>, <see cref="Tiny"/> or <see cref="Parse"/>.</summary>
    /// <exception cref="ArgumentException">Unknown kind, a checkpoint without a path, or a tiny model without sizes.</exception>
    [JsonConstructor]
    public RewardBackbone(string kind, string? path = null, TinyPhiSpec? tiny = null, long seed = 0)
    {
        Kind = kind switch
        {
            CheckpointKind when !string.IsNullOrWhiteSpace(path) => kind,
            CheckpointKind => throw new ArgumentException("Backbone kind 'checkpoint' needs the checkpoint folder."),
            TinyKind => kind,
            _ => throw new ArgumentException($"Unknown backbone kind '{kind}'; use {CheckpointKind} or {TinyKind}."),
        };
        Path = kind == CheckpointKind ? path : null;
        Tiny = kind == TinyKind ? tiny ?? new TinyPhiSpec() : null;
        Seed = seed;
    }

    /// <summary><c>checkpoint</c> or <c>tiny</c>.</summary>
    public string Kind { get; }

    /// <summary>The checkpoint folder (absolute) for <c>checkpoint</c>; otherwise null.</summary>
    public string? Path { get; }

    /// <summary>The sizes of the tiny model for <c>tiny</c>; otherwise null.</summary>
    [JsonPropertyName("Tiny")]
    public TinyPhiSpec? Tiny { get; }

    /// <summary>Seed of the tiny model's random weights (unused for checkpoints).</summary>
    public long Seed { get; }

    /// <summary>True for the built-in tiny model, whose weights are random: training it is training from scratch.</summary>
    [JsonIgnore]
    public bool IsTiny => Kind == TinyKind;

    /// <summary>
    /// True for a checkpoint folder written by <see cref="Pretraining.CodeLanguageModelPretrainer"/> (it holds
    /// <c>pretraining.json</c>): a tiny backbone pretrained on a CPU, which trains like a tiny one (small-model defaults,
    /// embedding trained), not like a Phi-4 checkpoint.
    /// </summary>
    [JsonIgnore]
    public bool IsPretrainedTiny => Kind == CheckpointKind && File.Exists(System.IO.Path.Combine(Path!, Pretraining.CodeLanguageModelPretrainer.SummaryFile));

    /// <summary>True for a backbone that trains like the tiny one (small-model defaults, embedding trained, saved in the zip): tiny, or <see cref="IsPretrainedTiny"/>.</summary>
    [JsonIgnore]
    public bool TrainsLikeTiny => IsTiny || IsPretrainedTiny;

    /// <summary>A Hugging Face Phi-3/Phi-4 checkpoint folder (<c>config.json</c> + safetensors).</summary>
    public static RewardBackbone FromCheckpoint(string folder) => new(CheckpointKind, System.IO.Path.GetFullPath(folder));

    /// <summary>The built-in tiny model, <paramref name="spec"/>-sized (defaults: Phi-4 vocabulary, hidden 64, 2 layers), weights from <paramref name="seed"/>.</summary>
    public static RewardBackbone CreateTiny(TinyPhiSpec? spec = null, long seed = 0) => new(TinyKind, null, spec ?? new TinyPhiSpec(), seed);

    /// <summary>
    /// Parses the command-line form: <c>tiny</c> (Phi-4 vocabulary), <c>tiny-mini</c> (Phi-4-mini vocabulary), either
    /// sized as <c>tiny:hidden=128,layers=4,heads=4,kv-heads=2</c> (keys: <see cref="TinyPhiSpec.Keys"/>), or a checkpoint folder.
    /// </summary>
    /// <exception cref="ArgumentException">Bad tiny sizes (the message lists the keys), or not a known name and not an existing folder with <c>config.json</c>.</exception>
    public static RewardBackbone Parse(string text)
    {
        string t = text.Trim();
        int colon = t.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? t : t[..colon];
        TinyPhiSpec? defaults = name.ToLowerInvariant() switch
        {
            "tiny" => new TinyPhiSpec(),
            "tiny-mini" => new TinyPhiSpec(VocabSize: Tokenization.PhiSpecialTokens.Phi4MiniVocabularySize),
            _ => null,
        };
        if (defaults is not null) return CreateTiny(colon < 0 ? defaults : TinyPhiSpec.Parse(t[(colon + 1)..], defaults));
        CheckpointFolder.Require(t);
        return FromCheckpoint(t);
    }

    /// <summary>The decoder configuration (reads <c>config.json</c> for a checkpoint).</summary>
    /// <exception cref="ArgumentException">The checkpoint path is a file, does not exist, or holds no config.json (subfolders that do are suggested).</exception>
    /// <exception cref="InvalidDataException">The config is not a supported Phi config.</exception>
    public PhiConfig LoadConfig() => IsTiny ? Tiny!.ToConfig() : PhiConfig.Load(CheckpointFolder.Require(Path!));

    /// <summary>
    /// Builds the model: loads the checkpoint, or creates the tiny model with seeded weights (norms 1, everything else
    /// ~ N(0, initializer_range), as transformers initialises Phi-3). The value head is initialised from <paramref name="options"/>' seed.
    /// </summary>
    public PhiRewardModel Create(ComputeOptions compute, PhiRewardModelOptions options)
    {
        if (!IsTiny) return PhiCheckpoint.Load(CheckpointFolder.Require(Path!), compute, options);
        var settings = compute.Resolve();
        var config = Tiny!.ToConfig();
        var model = new PhiRewardModel(config, settings.DType, settings.Device, options);
        using var _ = no_grad();
        using var generator = new Generator((ulong)Seed, CPU);
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.StartsWith("value_head.", StringComparison.Ordinal)) continue; // initialised by the model from its own seed
            using var init = name.EndsWith("norm.weight", StringComparison.Ordinal)
                ? ones(parameter.shape, ScalarType.Float32)
                : normal(0, config.InitializerRange, parameter.shape, ScalarType.Float32, generator: generator);
            parameter.copy_(init);
        }
        return model;
    }

    /// <summary><c>tiny(...)</c> or the checkpoint folder.</summary>
    public override string ToString() => IsTiny ? $"{Tiny} seed {Seed}" : Path!;
}
