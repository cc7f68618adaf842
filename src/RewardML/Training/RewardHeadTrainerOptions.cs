using RewardML.Runtime;
using RewardML.Scoring;

namespace RewardML.Training;

public sealed partial class RewardHeadTrainer
{
    /// <summary>Options of <see cref="RewardHeadTrainer"/>; saved as JSON with the model. Every default has one home, <see cref="Defaults"/>.</summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// Defaults follow the paper (Groeneveld et al., 2025): 2 epochs, learning rate 1e-4, the last 12 decoder layers and the
    /// value head trained, per-problem class balancing. Where they differ from TRL's `RewardConfig` / `PRMConfig`:
    /// `LearningRate` 1e-4 (TRL PRM: 1e-5), `MaxGradientNorm` 1.0 (as TRL), no `max_length` here (TokenizeForReward's
    /// `MaxLength`), `TrainOnLastStepOnly` is `Targets = LastStep`, dropout off by default in the value head only
    /// (`ValueHeadDropout`; the Phi decoder has none), gradient checkpointing off by default (on CPU it costs more than it saves).
    /// ]]></format>
    /// </remarks>
    public sealed class Options
    {
        /// <summary>The defaults, usable as parameter defaults.</summary>
        public static class Defaults
        {
            /// <summary>Decoder layers trained, counted from the top.</summary>
            public const int TrainableLayers = 12;
            /// <summary>Passes over the training data.</summary>
            public const int NumberOfEpochs = 2;
            /// <summary>Peak learning rate.</summary>
            public const double LearningRate = 1e-4;
            /// <summary>Padded tokens per micro-batch.</summary>
            public const int MaxTokensPerBatch = 16384;
            /// <summary>Global gradient-norm clip.</summary>
            public const double MaxGradientNorm = 1.0;
            /// <summary>Steps between progress reports.</summary>
            public const int LoggingSteps = 10;
            /// <summary>Steps between checkpoints.</summary>
            public const int CheckpointSteps = 100;
            /// <summary>Decision threshold on <c>Probability</c>.</summary>
            public const float Threshold = 0.5f;
        }

        /// <summary>
        /// The defaults that differ for a backbone trained from scratch (the built-in tiny ones, <see cref="RewardBackbone.CreateTiny"/>).
        /// The paper's 1e-4 over 2 epochs fine-tunes a pretrained decoder; a randomly initialised one learns nothing under it
        /// in a CPU budget (held-out AUC 0.08 on the shared HumanEval programs). These are the settings measured to learn
        /// there (docs/demo.md): a higher rate, a third epoch, and small batches for the few hundred optimizer steps a model
        /// from scratch needs.
        /// </summary>
        public static class FromScratchDefaults
        {
            /// <summary>Passes over the training data.</summary>
            public const int NumberOfEpochs = 3;
            /// <summary>Peak learning rate.</summary>
            public const double LearningRate = 1e-3;
            /// <summary>Padded tokens per micro-batch.</summary>
            public const int MaxTokensPerBatch = 4096;
        }

        /// <summary>
        /// Options with defaults that follow <paramref name="backbone"/>: <see cref="FromScratchDefaults"/> for a tiny
        /// backbone, from scratch or pretrained by <c>rewardml pretrain</c> (<see cref="RewardBackbone.IsPretrainedTiny"/>:
        /// measured to learn best with them too, docs/demo.md), the paper's <see cref="Defaults"/> for any other checkpoint.
        /// </summary>
        public static Options For(RewardBackbone backbone)
        {
            ArgumentNullException.ThrowIfNull(backbone);
            var options = new Options { Backbone = backbone };
            if (backbone.TrainsLikeTiny)
            {
                options.NumberOfEpochs = FromScratchDefaults.NumberOfEpochs;
                options.LearningRate = FromScratchDefaults.LearningRate;
                options.MaxTokensPerBatch = FromScratchDefaults.MaxTokensPerBatch;
            }
            return options;
        }

        /// <summary>The token ids column (vector of Int32, from TokenizeForReward). Default <c>Tokens</c>.</summary>
        public string TokensColumnName { get; set; } = RewardColumnNames.Tokens;

        /// <summary>The step positions column (vector of Int32; <c>-1</c> = outside the window). Default <c>StepTokenEnds</c>.</summary>
        public string StepTokenEndsColumnName { get; set; } = RewardColumnNames.StepTokenEnds;

        /// <summary>The program start column (Int32), read only for <see cref="TrainingTargets.AllCodeTokens"/>. Default <c>CodeTokenStart</c>.</summary>
        public string CodeTokenStartColumnName { get; set; } = RewardColumnNames.CodeTokenStart;

        /// <summary>The label column (Boolean: the program passes its tests). Default <c>Label</c>.</summary>
        public string LabelColumnName { get; set; } = RewardColumnNames.Label;

        /// <summary>Optional column (vector of Single in [0, 1], one per step) of soft step targets that replace the label. Default none.</summary>
        public string? StepTargetsColumnName { get; set; }

        /// <summary>Optional column (Single ≥ 0) of row weights. Default none (every row weighs 1).</summary>
        public string? ExampleWeightColumnName { get; set; }

        /// <summary>The problem column (text) that <see cref="BalanceClasses"/> groups by; without it all rows form one group. Default <c>ProblemId</c>.</summary>
        public string? ProblemIdColumnName { get; set; } = RewardColumnNames.ProblemId;

        /// <summary>The decoder: a checkpoint folder or the built-in tiny model. Required.</summary>
        public RewardBackbone? Backbone { get; set; }

        /// <summary>Decoder layers trained, counted from the top, clamped to the depth; 0 trains the value head alone. Default 12 (the paper).</summary>
        public int TrainableLayers { get; set; } = Defaults.TrainableLayers;

        /// <summary>
        /// Whether the token embedding (and a tied LM head) trains too. Default null: on for the built-in tiny backbone, which
        /// trains from random weights (frozen random embeddings would cripple it), and for a tiny one pretrained by
        /// <c>rewardml pretrain</c> (frozen, it measured worse: docs/demo.md); off for other checkpoints.
        /// </summary>
        public bool? TrainEmbeddings { get; set; }

        /// <summary>
        /// How AdamW updates a training embedding. Default <see cref="Training.EmbeddingUpdate.Dense"/> (plain AdamW over every
        /// row, step for step a PyTorch loop); <see cref="Training.EmbeddingUpdate.TouchedRows"/> updates only the rows a step uses.
        /// </summary>
        public EmbeddingUpdate EmbeddingUpdate { get; set; } = EmbeddingUpdate.Dense;

        /// <summary>Which positions carry a loss. Default <see cref="TrainingTargets.Steps"/>.</summary>
        public TrainingTargets Targets { get; set; } = TrainingTargets.Steps;

        /// <summary>Passes over the training data. Default 2.</summary>
        public int NumberOfEpochs { get; set; } = Defaults.NumberOfEpochs;

        /// <summary>Stop after this many optimizer steps; 0 fits nothing and returns the initial model. Default null (no limit).</summary>
        public int? MaxSteps { get; set; }

        /// <summary>Peak learning rate of AdamW (β 0.9/0.999, ε 1e-8). Default 1e-4.</summary>
        public double LearningRate { get; set; } = Defaults.LearningRate;

        /// <summary>The decay after warmup. Default <see cref="LearningRateSchedule.Linear"/>.</summary>
        public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Linear;

        /// <summary>Optimizer steps of linear warmup from 0. Default 0.</summary>
        public int WarmupSteps { get; set; }

        /// <summary>AdamW's decoupled weight decay, applied to 2-D weight matrices only (never biases or norm weights). Default 0.</summary>
        public double WeightDecay { get; set; }

        /// <summary>Clip the global gradient norm to this; 0 turns clipping off. Default 1.0.</summary>
        public double MaxGradientNorm { get; set; } = Defaults.MaxGradientNorm;

        /// <summary>Rows per micro-batch; 0 (default) fills micro-batches up to <see cref="MaxTokensPerBatch"/> instead.</summary>
        public int BatchSize { get; set; }

        /// <summary>Padded tokens (rows × longest row) per micro-batch when <see cref="BatchSize"/> is 0, in training and scoring. Default 16384.</summary>
        public int MaxTokensPerBatch { get; set; } = Defaults.MaxTokensPerBatch;

        /// <summary>Micro-batches per optimizer step; the step's loss is the loss formula over all of them. Default 1.</summary>
        public int GradientAccumulationSteps { get; set; } = 1;

        /// <summary>
        /// Shuffle rows every epoch (seeded) and group rows of similar length to limit padding. False takes rows in input
        /// order, so runs compare batch for batch with another framework. Default true.
        /// </summary>
        public bool Shuffle { get; set; } = true;

        /// <summary>Weigh each problem's passing and failing programs equally (multiplied with the row weights). Default true (the paper).</summary>
        public bool BalanceClasses { get; set; } = true;

        /// <summary>Dropout on the final hidden state before the value head, in training only. Default 0.</summary>
        public double ValueHeadDropout { get; set; }

        /// <summary>Recompute each layer's activations in the backward pass (less memory, ~1 more forward of compute). Default false.</summary>
        public bool GradientCheckpointing { get; set; }

        /// <summary>Seed of the value head's initialisation and the shuffling. Default 0.</summary>
        public int Seed { get; set; }

        /// <summary>Device, dtype, threads. On CUDA use bfloat16: the decoder computes in it while the value head, the loss and AdamW's state stay float32.</summary>
        public ComputeOptions Compute { get; set; } = new();

        /// <summary>Optimizer steps between progress reports (the MLContext log and <c>IProgress</c>). Default 10.</summary>
        public int LoggingSteps { get; set; } = Defaults.LoggingSteps;

        /// <summary>A JSON Lines file that gets one record per optimizer step (appended on resume). Default none.</summary>
        public string? LogFile { get; set; }

        /// <summary>A folder for checkpoints; a <c>Fit</c> given a folder that holds one resumes from it. Default none.</summary>
        public string? CheckpointFolder { get; set; }

        /// <summary>Optimizer steps between checkpoints (an epoch end always writes one). Default 100.</summary>
        public int CheckpointSteps { get; set; } = Defaults.CheckpointSteps;

        /// <summary>The metric that picks the best epoch on validation data. Default <see cref="ValidationMetric.Auc"/>.</summary>
        public ValidationMetric SelectionMetric { get; set; } = ValidationMetric.Auc;

        /// <summary>Stop after this many epochs without a better validation metric; 0 never stops early. Default 0.</summary>
        public int EarlyStoppingPatience { get; set; }

        /// <summary>With validation data, return the weights of the best epoch rather than the last. Default true.</summary>
        public bool KeepBestEpoch { get; set; } = true;

        /// <summary>Fit a temperature on the validation data after training (minimising log loss) for <c>Probability</c>. Default false.</summary>
        public bool Calibrate { get; set; }

        /// <summary>How step values become <c>Score</c>. Default <see cref="ScoreAggregation.Last"/> (the outcome value).</summary>
        public ScoreAggregation Aggregation { get; set; } = ScoreAggregation.Last;

        /// <summary><c>PredictedLabel</c> is <c>Probability ≥ Threshold</c>. Default 0.5.</summary>
        public float Threshold { get; set; } = Defaults.Threshold;

        /// <summary>Save the whole backbone in the model zip (self-contained) rather than a reference to its folder. Default false (a tiny backbone, from scratch or pretrained by <c>rewardml pretrain</c>, is always saved: it is a few MB).</summary>
        public bool EmbedBackbone { get; set; }

        /// <summary>The output column of step values (vector of Single). Default <c>StepScores</c>.</summary>
        public string StepScoresColumnName { get; set; } = RewardColumnNames.StepScores;

        /// <summary>The output score column (Single). Default <c>Score</c>.</summary>
        public string ScoreColumnName { get; set; } = RewardColumnNames.Score;

        /// <summary>The output probability column (Single). Default <c>Probability</c>.</summary>
        public string ProbabilityColumnName { get; set; } = RewardColumnNames.Probability;

        /// <summary>The output predicted label column (Boolean). Default <c>PredictedLabel</c>.</summary>
        public string PredictedLabelColumnName { get; set; } = RewardColumnNames.PredictedLabel;

        internal Options Clone()
        {
            var copy = (Options)MemberwiseClone();
            copy.Compute = new ComputeOptions { Device = Compute.Device, DType = Compute.DType, Threads = Compute.Threads };
            return copy;
        }

        internal void Validate()
        {
            foreach (var (value, name) in new[] { (TokensColumnName, nameof(TokensColumnName)), (StepTokenEndsColumnName, nameof(StepTokenEndsColumnName)),
                         (LabelColumnName, nameof(LabelColumnName)), (CodeTokenStartColumnName, nameof(CodeTokenStartColumnName)),
                         (StepScoresColumnName, nameof(StepScoresColumnName)), (ScoreColumnName, nameof(ScoreColumnName)),
                         (ProbabilityColumnName, nameof(ProbabilityColumnName)), (PredictedLabelColumnName, nameof(PredictedLabelColumnName)) })
                if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"RewardHead: {name} must name a column.");
            foreach (var (value, name) in new[] { (StepTargetsColumnName, nameof(StepTargetsColumnName)), (ExampleWeightColumnName, nameof(ExampleWeightColumnName)), (ProblemIdColumnName, nameof(ProblemIdColumnName)) })
                if (value is not null && string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"RewardHead: {name} must name a column or be null.");
            var outputs = new[] { StepScoresColumnName, ScoreColumnName, ProbabilityColumnName, PredictedLabelColumnName };
            if (outputs.Distinct().Count() != outputs.Length) throw new ArgumentException($"RewardHead: the output columns must differ ({string.Join(", ", outputs)}).");
            if (Backbone is null) throw new ArgumentException($"RewardHead: {nameof(Backbone)} must be set: RewardBackbone.FromCheckpoint(folder) or RewardBackbone.CreateTiny().");
            if (!Enum.IsDefined(Targets)) throw new ArgumentOutOfRangeException(nameof(Targets), $"RewardHead: unknown {nameof(Targets)} {(int)Targets}.");
            if (!Enum.IsDefined(EmbeddingUpdate)) throw new ArgumentOutOfRangeException(nameof(EmbeddingUpdate), $"RewardHead: unknown {nameof(EmbeddingUpdate)} {(int)EmbeddingUpdate}.");
            if (!Enum.IsDefined(Schedule)) throw new ArgumentOutOfRangeException(nameof(Schedule), $"RewardHead: unknown {nameof(Schedule)} {(int)Schedule}.");
            if (!Enum.IsDefined(Aggregation)) throw new ArgumentOutOfRangeException(nameof(Aggregation), $"RewardHead: unknown {nameof(Aggregation)} {(int)Aggregation}.");
            if (!Enum.IsDefined(SelectionMetric)) throw new ArgumentOutOfRangeException(nameof(SelectionMetric), $"RewardHead: unknown {nameof(SelectionMetric)} {(int)SelectionMetric}.");
            Positive(NumberOfEpochs, nameof(NumberOfEpochs));
            Positive(MaxTokensPerBatch, nameof(MaxTokensPerBatch));
            Positive(GradientAccumulationSteps, nameof(GradientAccumulationSteps));
            Positive(LoggingSteps, nameof(LoggingSteps));
            Positive(CheckpointSteps, nameof(CheckpointSteps));
            NotNegative(TrainableLayers, nameof(TrainableLayers));
            NotNegative(WarmupSteps, nameof(WarmupSteps));
            NotNegative(BatchSize, nameof(BatchSize));
            NotNegative(EarlyStoppingPatience, nameof(EarlyStoppingPatience));
            if (MaxSteps is < 0) throw new ArgumentOutOfRangeException(nameof(MaxSteps), $"RewardHead: {nameof(MaxSteps)} must be 0 or more, got {MaxSteps}.");
            if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"RewardHead: {nameof(LearningRate)} must be positive, got {LearningRate}.");
            if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"RewardHead: {nameof(WeightDecay)} must be 0 or more, got {WeightDecay}.");
            if (!(MaxGradientNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), $"RewardHead: {nameof(MaxGradientNorm)} must be 0 (off) or more, got {MaxGradientNorm}.");
            if (!(ValueHeadDropout >= 0 && ValueHeadDropout < 1)) throw new ArgumentOutOfRangeException(nameof(ValueHeadDropout), $"RewardHead: {nameof(ValueHeadDropout)} must be in [0, 1), got {ValueHeadDropout}.");
            if (!(Threshold >= 0 && Threshold <= 1)) throw new ArgumentOutOfRangeException(nameof(Threshold), $"RewardHead: {nameof(Threshold)} must be in [0, 1], got {Threshold}.");
            if (Compute is null) throw new ArgumentException($"RewardHead: {nameof(Compute)} must be set.");
        }

        private static void Positive(int value, string name)
        {
            if (value <= 0) throw new ArgumentOutOfRangeException(name, $"RewardHead: {name} must be positive, got {value}.");
        }

        private static void NotNegative(int value, string name)
        {
            if (value < 0) throw new ArgumentOutOfRangeException(name, $"RewardHead: {name} must be 0 or more, got {value}.");
        }
    }
}
