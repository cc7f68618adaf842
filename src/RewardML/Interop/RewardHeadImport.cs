using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Modeling;
using RewardML.Runtime;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tokenization;
using RewardML.Training;
using static TorchSharp.torch;

namespace RewardML.Interop;

/// <summary>
/// Reads a Hugging Face folder holding a Phi-3/Phi-4 decoder and a TRL-layout value head (<c>v_head.summary.*</c>) — one
/// written by <see cref="RewardHeadExport"/>, by TRL's <c>AutoModelForCausalLMWithValueHead.save_pretrained</c>, or by
/// <c>examples/trl/train_value_head.py</c> — and saves it as a self-contained model zip: SegmentSteps → TokenizeForReward → RewardHead.
/// </summary>
/// <remarks>
/// With <c>rewardml.json</c> (written by export) the chain is rebuilt exactly as it was; <see cref="Options"/> values that
/// are set replace the recorded ones. Without it the chain is built from <see cref="Options"/>: the tokenizer defaults to
/// the folder's <c>tokenizer.json</c>, else the built-in tokenizer matching <c>vocab_size</c> (phi4 or phi4-mini).
/// Every weight is read from <c>*.safetensors</c> in the folder (sharded files too) and stored in the zip; a tied
/// config's <c>lm_head.weight</c>, if present, is ignored.
/// </remarks>
public static class RewardHeadImport
{
    /// <summary>What to use where the folder has no <c>rewardml.json</c>, or to replace what it records. Null = recorded or default.</summary>
    public sealed class Options
    {
        /// <summary>The tokenizer. Default: recorded; else the folder's tokenizer.json, else by vocabulary size.</summary>
        public TokenizerSpec? Tokenizer { get; set; }

        /// <summary>Most tokens per row. Default: recorded, else 4096.</summary>
        public int? MaxLength { get; set; }

        /// <summary>The prompt template. Default: recorded, else <c>plain</c>.</summary>
        public string? Template { get; set; }

        /// <summary>Step segmentation. Default: recorded, else PythonStatements.</summary>
        public StepStrategy? Steps { get; set; }

        /// <summary>How step values become Score. Default: recorded, else Last.</summary>
        public ScoreAggregation? Aggregation { get; set; }

        /// <summary>The calibration temperature. Default: recorded, else 1.</summary>
        public double? Temperature { get; set; }

        /// <summary>The PredictedLabel threshold. Default: recorded, else 0.5.</summary>
        public float? Threshold { get; set; }

        /// <summary>Device, dtype and threads for scoring (saved in the zip). Default: recorded, else CPU float32.</summary>
        public ComputeOptions? Compute { get; set; }
    }

    /// <summary>Imports <paramref name="folder"/> and saves the model zip at <paramref name="modelZip"/>.</summary>
    /// <exception cref="InvalidDataException">config.json, the weights or rewardml.json are missing, damaged or do not match.</exception>
    /// <exception cref="ArgumentException">An option is invalid or no tokenizer can be chosen.</exception>
    public static void ToModelZip(string folder, string modelZip, Options? options = null)
    {
        var ml = new MLContext(seed: 0);
        var (chain, schema) = Load(folder, options);
        using var head = (RewardHeadTransformer)chain.LastTransformer;
        ml.Model.Save(chain, schema, modelZip);
    }

    /// <summary>Builds the chain from <paramref name="folder"/>, and the input schema it reads (Prompt, Code, …).</summary>
    /// <exception cref="InvalidDataException">config.json, the weights or rewardml.json are missing, damaged or do not match.</exception>
    public static (TransformerChain<ITransformer> Model, DataViewSchema InputSchema) Load(string folder, Options? options = null)
    {
        options ??= new Options();
        folder = Path.GetFullPath(folder);
        if (!Directory.Exists(folder)) throw new InvalidDataException($"{folder}: no such folder.");
        string configPath = Path.Combine(folder, HuggingFaceFolder.ConfigFile);
        if (!File.Exists(configPath)) throw new InvalidDataException($"{folder}: no {HuggingFaceFolder.ConfigFile}; not a Hugging Face model folder.");
        var config = PhiConfig.Load(configPath);
        string manifestPath = Path.Combine(folder, HuggingFaceFolder.ManifestFile);
        var manifest = File.Exists(manifestPath) ? RewardHeadManifest.Read(manifestPath) : null;
        bool hasTokenizerFile = File.Exists(Path.Combine(folder, TokenizerJsonReader.TokenizerFile));

        var scoring = manifest?.Scoring ?? new RewardHeadScoringOptions();
        if (options.Aggregation is { } aggregation) scoring.Aggregation = aggregation;
        if (options.Temperature is { } temperature) scoring.Temperature = temperature;
        if (options.Threshold is { } threshold) scoring.Threshold = threshold;
        if (options.Compute is { } compute) scoring.Compute = compute;

        // A recorded folder tokenizer pointed at the exporting machine's folder; its files are now in this folder.
        TokenizerSpec Relocate(TokenizerSpec spec) => spec.Kind == TokenizerSpec.FolderKind && hasTokenizerFile ? TokenizerSpec.FromFolder(folder) : spec;
        var tokenize = manifest?.TokenizeForReward ?? new TokenizeForRewardEstimator.Options
        {
            Tokenizer = hasTokenizerFile ? TokenizerSpec.FromFolder(folder) : TokenizerSpec.ForCheckpoint(folder),
        };
        tokenize.Tokenizer = options.Tokenizer ?? Relocate(tokenize.Tokenizer);
        if (options.MaxLength is { } maxLength) tokenize.MaxLength = maxLength;
        if (options.Template is { } template) tokenize.Template = template;
        var segment = manifest is not null ? manifest.SegmentSteps : new SegmentStepsEstimator.Options { Tokenizer = tokenize.Tokenizer };
        if (segment is not null)
        {
            segment.Tokenizer = Relocate(segment.Tokenizer);
            if (options.Steps is { } steps) segment.Strategy = steps;
        }
        else if (options.Steps is not null)
            throw new ArgumentException($"{manifestPath}: the recorded chain has no SegmentSteps; a step strategy cannot be applied.");

        try
        {
            // Recorded options are checked where they come from (rewardml.json), before any weight is read.
            scoring.Validate();
            tokenize.Validate();
            segment?.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{(manifest is null ? folder : manifestPath)}: {e.Message}", e);
        }
        var model = ReadModel(folder, config, scoring.Compute);
        var record = new RewardHeadModelStore.BackboneRecord(RewardBackbone.FromCheckpoint(folder), Fingerprint: null, Embedded: true,
            TrainedParameters: model.named_parameters().Select(p => p.name).ToList(), ValueHeadDropout: 0);
        RewardHeadTransformer head;
        try
        {
            head = new RewardHeadTransformer(model, scoring, record);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        var tokenizer = new TokenizeForRewardTransformer(tokenize);
        if (tokenizer.Tokenizer.ModelVocabularySize is { } vocabulary && vocabulary > config.VocabSize)
        {
            head.Dispose();
            throw new InvalidDataException($"{folder}: the tokenizer ({tokenize.Tokenizer}) has {vocabulary} ids, the model's embedding {config.VocabSize}; name the right tokenizer.");
        }
        var parts = new List<ITransformer>();
        if (segment is not null) parts.Add(new SegmentStepsTransformer(segment));
        parts.Add(tokenizer);
        parts.Add(head);
        return (new TransformerChain<ITransformer>([.. parts]), InputSchema(segment, tokenize));
    }

    private static PhiRewardModel ReadModel(string folder, PhiConfig config, ComputeOptions compute)
    {
        var files = Directory.GetFiles(folder, "*.safetensors").OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{folder}: no *.safetensors weights.");
        var headers = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        foreach (string path in files)
        {
            using var file = SafetensorsFile.Open(path);
            foreach (var (key, entry) in file.Entries) headers.TryAdd(key, entry);
        }
        ConfigWeightsCheck.Require(config, headers, Path.Combine(folder, HuggingFaceFolder.ConfigFile), folder); // before allocating
        var settings = compute.Resolve();
        var model = new PhiRewardModel(config, settings.DType, settings.Device);
        try
        {
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var unknown = new List<string>();
            foreach (string path in files)
            {
                using var file = SafetensorsFile.Open(path);
                foreach (string key in file.Entries.Keys)
                {
                    string ours = HuggingFaceFolder.FromHuggingFaceKey(key);
                    if (key == "lm_head.weight" && config.TieWordEmbeddings) continue; // tied: the embedding is the LM head
                    if (!parameters.TryGetValue(ours, out var destination)) { unknown.Add(key); continue; }
                    if (!seen.Add(ours)) throw new InvalidDataException($"{path}: tensor '{key}' is also in another file of {folder}.");
                    file.ReadInto(key, destination);
                }
            }
            if (unknown.Count > 0)
                throw new InvalidDataException($"{folder}: tensors the Phi reward model does not have: {string.Join(", ", unknown.Take(8))}{(unknown.Count > 8 ? $" (+{unknown.Count - 8} more)" : "")}.");
            if (!seen.Contains(HuggingFaceFolder.OurValueHeadWeight) || !seen.Contains(HuggingFaceFolder.OurValueHeadBias))
                throw new InvalidDataException($"{folder}: no value head ({HuggingFaceFolder.TrlValueHeadWeight} [1, {config.HiddenSize}] and {HuggingFaceFolder.TrlValueHeadBias} [1]); " +
                    "this is a plain language model, not a reward model (train one with examples/trl/train_value_head.py or TRL's AutoModelForCausalLMWithValueHead).");
            var missing = parameters.Keys.Where(k => !seen.Contains(k)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{folder}: weights missing: {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? $" (+{missing.Count - 8} more)" : "")}.");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    private static DataViewSchema InputSchema(SegmentStepsEstimator.Options? segment, TokenizeForRewardEstimator.Options tokenize)
    {
        var builder = new DataViewSchema.Builder();
        var added = new HashSet<string>(StringComparer.Ordinal);
        void Add(string? name, DataViewType type)
        {
            if (name is not null && added.Add(name)) builder.AddColumn(name, type);
        }
        Add(tokenize.PromptColumnName, TextDataViewType.Instance);
        Add(tokenize.CodeColumnName, TextDataViewType.Instance);
        if (segment is not null)
        {
            Add(segment.InputColumnName, TextDataViewType.Instance);
            if (segment.Strategy == StepStrategy.Offsets) Add(segment.OffsetsColumnName, new VectorDataViewType(NumberDataViewType.Int32));
        }
        else if (tokenize.StepEndsColumnName is { } ends) Add(ends, new VectorDataViewType(NumberDataViewType.Int32));
        Add(tokenize.StarterCodeColumnName, TextDataViewType.Instance);
        Add(tokenize.CallBasedColumnName, BooleanDataViewType.Instance);
        return builder.ToSchema();
    }
}
