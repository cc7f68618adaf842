using System.Diagnostics;
using RewardML.Modeling;
using RewardML.Runtime;
using RewardML.Tokenization;
using RewardML.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Pretraining;

/// <summary>
/// Pretrains the built-in tiny Phi backbone as a code language model (next-token cross-entropy) before a reward head is
/// trained on it: the paper's recipe (a language-model backbone, then a value head) at a size a CPU trains in minutes.
/// The result is a Hugging Face checkpoint folder (<c>config.json</c> with tied embeddings, <c>model.safetensors</c>,
/// plus <c>pretraining.json</c>) that <see cref="RewardBackbone.FromCheckpoint"/> and <c>rewardml train --backbone FOLDER</c>
/// read like any Phi checkpoint, and transformers loads as <c>Phi3ForCausalLM</c>.
/// </summary>
/// <remarks>
/// <para>Each step reads <c>MaxTokensPerBatch / SequenceLength</c> packed sequences of the corpus (<see cref="PackedSequences"/>)
/// and predicts every next token among the <c>OutputVocabularySize</c> most frequent targets (<see cref="OutputVocabulary"/>)
/// through the tied embedding. Every weight trains: the embedding with the touched-rows AdamW the reward trainer uses
/// (<see cref="EmbeddingUpdate.TouchedRows"/>), the rest with AdamW (weight decay on matrices only), gradients clipped
/// to <c>MaxGradientNorm</c>, the learning rate warmed up then decayed by <c>Schedule</c>.</para>
/// <para>The same options, corpus and seed give the same weights on the same machine.</para>
/// </remarks>
public sealed class CodeLanguageModelPretrainer
{
    /// <summary>Options for <see cref="CodeLanguageModelPretrainer"/>.</summary>
    public sealed class Options
    {
        /// <summary>Default values.</summary>
        public static class Defaults
        {
            /// <summary>Tokens per sequence.</summary>
            public const int SequenceLength = 256;

            /// <summary>Tokens per optimizer step.</summary>
            public const int MaxTokensPerBatch = 8192;

            /// <summary>Optimizer steps.</summary>
            public const int Steps = 400;

            /// <summary>Peak learning rate (a tiny model from scratch takes a high one).</summary>
            public const double LearningRate = 3e-3;

            /// <summary>Steps of linear warmup.</summary>
            public const int WarmupSteps = 20;

            /// <summary>Decoupled weight decay of the weight matrices.</summary>
            public const double WeightDecay = 0.01;

            /// <summary>Global gradient-norm clip.</summary>
            public const double MaxGradientNorm = 1.0;

            /// <summary>Steps between checkpoints.</summary>
            public const int CheckpointSteps = 50;

            /// <summary>Tokens the loss predicts.</summary>
            public const int OutputVocabularySize = 8192;

            /// <summary>Held-out sequences for the validation loss.</summary>
            public const int ValidationSequences = 64;

            /// <summary>Steps between validation losses.</summary>
            public const int EvaluationSteps = 100;
        }

        /// <summary>Sizes of the tiny backbone (default: Phi-4 vocabulary, hidden 64, 2 layers).</summary>
        public TinyPhiSpec Backbone { get; set; } = new();

        /// <summary>The tokenizer; null = the built-in one of the backbone's vocabulary (phi4 for 100352 rows, phi4-mini for 200064).
        /// A folder tokenizer's files are copied into the checkpoint, so that it loads with the tokenizer it was trained on.</summary>
        public TokenizerSpec? Tokenizer { get; set; }

        /// <summary>Tokens per training sequence. Default 256.</summary>
        public int SequenceLength { get; set; } = Defaults.SequenceLength;

        /// <summary>Tokens per optimizer step (a multiple of <see cref="SequenceLength"/> is used, at least one sequence). Default 8192.</summary>
        public int MaxTokensPerBatch { get; set; } = Defaults.MaxTokensPerBatch;

        /// <summary>Optimizer steps; the corpus is read once in a seeded order and repeated when it runs out. Default 400.</summary>
        public int Steps { get; set; } = Defaults.Steps;

        /// <summary>Stop after this long even before <see cref="Steps"/> (the schedule still plans for <see cref="Steps"/>); null = no limit.</summary>
        public TimeSpan? MaxDuration { get; set; }

        /// <summary>Peak learning rate. Default 3e-3.</summary>
        public double LearningRate { get; set; } = Defaults.LearningRate;

        /// <summary>Linear warmup steps. Default 20.</summary>
        public int WarmupSteps { get; set; } = Defaults.WarmupSteps;

        /// <summary>Decay after the warmup. Default cosine.</summary>
        public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Cosine;

        /// <summary>Decoupled weight decay on weight matrices and the embedding. Default 0.01.</summary>
        public double WeightDecay { get; set; } = Defaults.WeightDecay;

        /// <summary>Global gradient-norm clip. Default 1.</summary>
        public double MaxGradientNorm { get; set; } = Defaults.MaxGradientNorm;

        /// <summary>The most frequent target tokens the loss predicts. Default 8192.</summary>
        public int OutputVocabularySize { get; set; } = Defaults.OutputVocabularySize;

        /// <summary>Sequences held out for the validation loss (at most a tenth of the corpus). Default 64.</summary>
        public int ValidationSequences { get; set; } = Defaults.ValidationSequences;

        /// <summary>Steps between validation losses (also measured before the first step and after the last). Default 100.</summary>
        public int EvaluationSteps { get; set; } = Defaults.EvaluationSteps;

        /// <summary>Seed of the weights and of the corpus order. Default 0.</summary>
        public int Seed { get; set; }

        /// <summary>Device, dtype and threads.</summary>
        public ComputeOptions Compute { get; set; } = new();

        /// <summary>
        /// Folder for a resumable checkpoint (its <c>checkpoint/</c> subfolder), saved every <see cref="CheckpointSteps"/>
        /// steps and when the run is cancelled; a run started on a checkpoint of the same corpus and options continues
        /// from it. Null (default): none.
        /// </summary>
        public string? CheckpointFolder { get; set; }

        /// <summary>Steps between checkpoints when <see cref="CheckpointFolder"/> is set. Default 50.</summary>
        public int CheckpointSteps { get; set; } = Defaults.CheckpointSteps;

        /// <summary>Sequences one step reads.</summary>
        internal int SequencesPerStep => Math.Max(1, MaxTokensPerBatch / SequenceLength);

        internal void Validate()
        {
            Positive(SequenceLength, nameof(SequenceLength));
            Positive(MaxTokensPerBatch, nameof(MaxTokensPerBatch));
            Positive(Steps, nameof(Steps));
            Positive(OutputVocabularySize, nameof(OutputVocabularySize));
            Positive(EvaluationSteps, nameof(EvaluationSteps));
            Positive(CheckpointSteps, nameof(CheckpointSteps));
            if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), $"Pretraining: {nameof(WarmupSteps)} must not be negative, got {WarmupSteps}.");
            if (ValidationSequences < 0) throw new ArgumentOutOfRangeException(nameof(ValidationSequences), $"Pretraining: {nameof(ValidationSequences)} must not be negative, got {ValidationSequences}.");
            if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"Pretraining: {nameof(LearningRate)} must be positive, got {LearningRate}.");
            if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"Pretraining: {nameof(WeightDecay)} must not be negative, got {WeightDecay}.");
            if (!(MaxGradientNorm > 0)) throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), $"Pretraining: {nameof(MaxGradientNorm)} must be positive, got {MaxGradientNorm}.");
            Backbone.ToConfig();
        }

        private static void Positive(int value, string name)
        {
            if (value < 1) throw new ArgumentOutOfRangeException(name, $"Pretraining: {name} must be at least 1, got {value}.");
        }
    }

    /// <summary>The file beside the checkpoint that records the run (<see cref="PretrainingSummary"/> as JSON).</summary>
    public const string SummaryFile = "pretraining.json";

    private readonly Options _options;

    /// <summary>Creates a pretrainer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option out of range.</exception>
    /// <exception cref="ArgumentException">Backbone sizes that do not fit together.</exception>
    public CodeLanguageModelPretrainer(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>
    /// Pretrains on <paramref name="corpus"/> and writes the checkpoint folder <paramref name="outputFolder"/>
    /// (created; files of the same names are replaced).
    /// </summary>
    /// <exception cref="InvalidDataException">The corpus is too small for one training and one validation sequence.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is written but the checkpoint (with <see cref="Options.CheckpointFolder"/>).</exception>
    /// <exception cref="InvalidOperationException">The checkpoint folder holds a checkpoint of another run.</exception>
    public PretrainingSummary Pretrain(CodeCorpus corpus, string outputFolder, IProgress<PretrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputFolder);
        var clock = Stopwatch.StartNew();
        var backbone = RewardBackbone.CreateTiny(_options.Backbone, _options.Seed);
        var tokenizerSpec = _options.Tokenizer ?? TokenizerFor(_options.Backbone);
        var tokenizer = RewardTokenizer.Create(tokenizerSpec);
        tokenizer.EnsureFitsEmbedding(_options.Backbone.VocabSize);
        var data = PackedSequences.Pack(corpus, tokenizer, _options.SequenceLength, _options.Steps * _options.SequencesPerStep, _options.ValidationSequences,
            _options.Seed, cancellation);
        var vocabulary = OutputVocabulary.Count(data.Train, _options.Backbone.VocabSize, _options.OutputVocabularySize);

        using var model = backbone.Create(_options.Compute, new PhiRewardModelOptions());
        using var run = new PretrainingRun(model, vocabulary, _options);
        string runKey = RunKey(data, model.Config);
        var saved = _options.CheckpointFolder is { } folder ? TrainingCheckpoint.TryLoadState<PretrainingCheckpointState>(folder, runKey) : null;
        if (saved is not null) run.RestoreCheckpoint(_options.CheckpointFolder!);
        var curve = saved?.Validation ?? [new(0, run.ValidationLoss(data.Validation))];
        int step = saved?.Step ?? 0;
        double lossSum = saved?.LossSum ?? 0;
        long tokens = saved?.Tokens ?? 0;
        var order = new Random(_options.Seed);
        var pool = new List<int>();
        List<int[]> NextBatch()
        {
            var batch = new List<int[]>();
            while (batch.Count < _options.SequencesPerStep)
            {
                if (pool.Count == 0) pool.AddRange(Shuffled(data.Train.Count, order));
                batch.Add(data.Train[pool[^1]]);
                pool.RemoveAt(pool.Count - 1);
            }
            return batch;
        }
        for (int done = 0; done < step; done++) NextBatch(); // the batches are drawn in a seeded order: replay those already trained on
        PretrainingCheckpointState State() => new(runKey, step, lossSum, tokens, [.. curve]);
        while (step < _options.Steps && !(_options.MaxDuration is { } limit && clock.Elapsed >= limit))
        {
            if (cancellation.IsCancellationRequested)
            {
                if (_options.CheckpointFolder is { } f) run.SaveCheckpoint(f, State());
                cancellation.ThrowIfCancellationRequested();
            }
            var batch = NextBatch();
            double rate = _options.LearningRate * LearningRateFactor.At(_options.Schedule, step, _options.WarmupSteps, _options.Steps);
            double loss = run.Step(batch, rate);
            step++;
            lossSum += loss;
            tokens += batch.Count * (long)_options.SequenceLength;
            double? validation = null;
            if (step % _options.EvaluationSteps == 0 || step == _options.Steps)
            {
                validation = run.ValidationLoss(data.Validation);
                curve.Add(new PretrainingEvaluation(step, validation.Value));
            }
            if (_options.CheckpointFolder is { } every && step % _options.CheckpointSteps == 0 && step < _options.Steps) run.SaveCheckpoint(every, State());
            progress?.Report(new PretrainingProgress(step, _options.Steps, loss, validation, tokens / Math.Max(1e-9, clock.Elapsed.TotalSeconds), clock.Elapsed));
        }
        if (curve[^1].Step != step) curve.Add(new PretrainingEvaluation(step, run.ValidationLoss(data.Validation)));
        run.Finish();

        var summary = new PretrainingSummary(_options.Backbone, _options.Seed, data.Documents, data.Characters, data.Train.Count * (long)_options.SequenceLength,
            step, tokens, vocabulary.Ids.Length, vocabulary.Coverage, step == 0 ? double.NaN : lossSum / step, curve, clock.Elapsed.TotalSeconds) { ResumedFrom = saved?.Step, Tokenizer = tokenizerSpec.ToString() };
        Write(model, outputFolder, summary, tokenizerSpec);
        if (_options.CheckpointFolder is { } finished) TrainingCheckpoint.Delete(finished); // the run is complete: nothing to resume
        return summary;
    }

    // Identifies the run a checkpoint belongs to: the packed sequences and every option that shapes the steps (not the
    // checkpoint settings or the time limit, which a resumed run may change).
    private string RunKey(PackedSequences data, PhiConfig config)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var sequence in data.Train.Concat(data.Validation))
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(sequence.AsSpan()));
        var o = _options;
        var shaping = new
        {
            o.SequenceLength, o.MaxTokensPerBatch, o.Steps, o.LearningRate, o.WarmupSteps, o.Schedule, o.WeightDecay, o.MaxGradientNorm,
            o.OutputVocabularySize, o.ValidationSequences, o.EvaluationSteps, o.Seed, o.Compute.DType, Config = config.ToJson(),
        };
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(shaping)));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>The built-in tokenizer that fills a tiny backbone of this vocabulary.</summary>
    internal static TokenizerSpec TokenizerFor(TinyPhiSpec spec) =>
        spec.VocabSize == PhiSpecialTokens.Phi4MiniVocabularySize ? TokenizerSpec.Phi4Mini : TokenizerSpec.Phi4;

    private static IEnumerable<int> Shuffled(int count, Random random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        return order;
    }

    /// <summary>The files of a folder tokenizer that go into the checkpoint with it.</summary>
    private static readonly string[] TokenizerFiles = [TokenizerJsonReader.TokenizerFile, "tokenizer_config.json", "special_tokens_map.json"];

    private static void Write(PhiRewardModel model, string folder, PretrainingSummary summary, TokenizerSpec tokenizer)
    {
        Directory.CreateDirectory(folder);
        var tensors = model.named_parameters()
            .Where(p => !PhiRewardModel.ValueHeadKeys.Contains(p.name))
            .ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        using (var stream = File.Create(Path.Combine(folder, PhiCheckpoint.SingleFileName)))
            TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, tensors, leaveOpen: true);
        File.WriteAllText(Path.Combine(folder, Interop.HuggingFaceFolder.ConfigFile), model.Config.ToJson());
        summary.Write(Path.Combine(folder, SummaryFile));
        // A built-in tokenizer is found again from config.json's vocab_size (TokenizerSpec.ForCheckpoint); a folder
        // tokenizer has to travel with the weights, or train --backbone DIR would tokenize with another one.
        if (tokenizer.Kind == TokenizerSpec.FolderKind && Path.GetFullPath(tokenizer.Path!) != Path.GetFullPath(folder))
            foreach (var file in TokenizerFiles.Where(f => File.Exists(Path.Combine(tokenizer.Path!, f))))
                File.Copy(Path.Combine(tokenizer.Path!, file), Path.Combine(folder, file), overwrite: true);
    }
}
