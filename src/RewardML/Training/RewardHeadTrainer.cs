using Microsoft.ML;
using Microsoft.ML.Runtime;
using RewardML.Scoring;
using RewardML.Transforms;

namespace RewardML.Training;

/// <summary>
/// Trains a reward model: a Phi decoder whose LM head is replaced by a value head (Linear(hidden, 1) + sigmoid), fine-tuned
/// with binary cross-entropy at every step end so that the value at token i estimates P(pass | program up to i). Create it
/// with <see cref="RewardML.RewardHeadCatalog"/>'s <c>mlContext.BinaryClassification.Trainers.RewardHead(...)</c>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Trainer characteristics
/// |  |  |
/// | -- | -- |
/// | Machine learning task | Binary classification (process and outcome reward) |
/// | Is normalization required? | No |
/// | Is caching required? | No (rows are read once into memory) |
/// | Required NuGet in addition to Microsoft.ML | RewardML, TorchSharp |
/// | Exportable to ONNX | No |
///
/// ### Columns
/// | column | type | default name | meaning |
/// | -- | -- | -- | -- |
/// | input | vector of Int32 | `Tokens` | token ids (TokenizeForReward) |
/// | input | vector of Int32 | `StepTokenEnds` | per step, the scoring position; `-1` = outside the window (skipped) |
/// | input | Boolean | `Label` | the program passes its tests |
/// | input, optional | vector of Single | `StepTargetsColumnName` | soft target per step in [0, 1], replacing the label |
/// | input, optional | Single | `ExampleWeightColumnName` | row weight ≥ 0 |
/// | input, optional | text | `ProblemId` | groups rows for per-problem class balancing |
/// | input, AllCodeTokens only | Int32 | `CodeTokenStart` | the program's first token |
/// | output | vector of Single, Single, Single, Boolean | `StepScores`, `Score`, `Probability`, `PredictedLabel` | see <xref:RewardML.Scoring.RewardHeadTransformer> |
///
/// ### Training
/// Positions Pᵢ of row i: its step ends ≥ 0 (`Targets = Steps`), the last step's end (`LastStep`) or every program token
/// (`AllCodeTokens`). A row with no position contributes nothing and is counted in a warning. Target tᵢₚ: the label (1/0),
/// or the row's `StepTargets` value for that step. With row weights wᵢ (`Weight` × per-problem class balancing) the loss
/// of an optimizer step over its rows B (all its micro-batches) is
/// `L = Σᵢ∈B wᵢ · meanₚ∈Pᵢ BCEWithLogits(zᵢₚ, tᵢₚ) / Σᵢ∈B wᵢ`: each program counts once, whatever its number of steps.
/// AdamW (β 0.9/0.999, ε 1e-8, decay on 2-D weights only), warmup then linear/cosine/constant schedule, global-norm
/// clipping. The last `TrainableLayers` decoder layers, the final norm and the value head train; the rest stays frozen
/// and unchanged. Full details: docs/training.md.
/// ]]></format>
/// </remarks>
public sealed partial class RewardHeadTrainer : IEstimator<RewardHeadTransformer>
{
    private readonly Options _options;
    private readonly IHostEnvironment? _env;

    /// <summary>Creates the trainer; prefer the catalog method.</summary>
    /// <param name="options">The options; copied.</param>
    /// <param name="env">The environment whose log gets the progress (an MLContext), or null.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public RewardHeadTrainer(Options options, IHostEnvironment? env = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        _env = env;
    }

    /// <summary>Where progress goes besides the MLContext log; set before <c>Fit</c>.</summary>
    public IProgress<RewardHeadProgress>? Progress { get; set; }

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">The backbone's checkpoint path is a file, missing, or holds no config.json.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="InvalidDataException">A value is invalid, or no row has a scored position.</exception>
    public RewardHeadTransformer Fit(IDataView input) => Fit(input, null, CancellationToken.None);

    /// <summary>Trains on <paramref name="trainData"/>, measuring <paramref name="validationData"/> after every epoch (best epoch kept, early stopping, calibration).</summary>
    public RewardHeadTransformer Fit(IDataView trainData, IDataView validationData) => Fit(trainData, validationData, CancellationToken.None);

    /// <summary>
    /// Trains with optional validation data; <paramref name="cancellationToken"/> stops between steps (after writing a
    /// checkpoint when <c>CheckpointFolder</c> is set) with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public RewardHeadTransformer Fit(IDataView trainData, IDataView? validationData, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        using var channel = _env?.Start("RewardHead");
        var config = _options.Backbone!.LoadConfig();
        var reader = new RewardRowReader(_options);
        var train = reader.Read(trainData, "training data", config.VocabSize);
        if (train.Count == 0) throw new InvalidDataException("RewardHead: the training data is empty.");
        var validation = validationData is null ? null : reader.Read(validationData, "validation data", config.VocabSize);
        if (_options.Targets == TrainingTargets.AllCodeTokens && train.Any(r => r.CodeTokenStart is null))
            throw new InvalidDataException($"RewardHead: Targets = AllCodeTokens needs column '{_options.CodeTokenStartColumnName}'.");
        return new RewardHeadTraining(_options, channel, Progress, cancellationToken).Run(train, validation);
    }

    /// <summary>The input shape with <c>StepScores</c>, <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c> added; from the options alone (no model is loaded).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A required column is missing or has the wrong shape.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var inputs = new List<InputColumn>
        {
            RowColumnType.Int32Vector.Input(_options.TokensColumnName),
            RowColumnType.Int32Vector.Input(_options.StepTokenEndsColumnName),
            RowColumnType.Boolean.Input(_options.LabelColumnName),
        };
        if (_options.StepTargetsColumnName is { } t) inputs.Add(RowColumnType.SingleVector.Input(t));
        if (_options.ExampleWeightColumnName is { } w) inputs.Add(RowColumnType.Single.Input(w));
        if (_options.Targets == TrainingTargets.AllCodeTokens) inputs.Add(RowColumnType.Int32.Input(_options.CodeTokenStartColumnName));
        OutputColumn[] outputs =
        [
            RowColumnType.SingleVector.Output(_options.StepScoresColumnName),
            RowColumnType.Single.Output(_options.ScoreColumnName),
            RowColumnType.Single.Output(_options.ProbabilityColumnName),
            RowColumnType.Boolean.Output(_options.PredictedLabelColumnName),
        ];
        return RowMappingShapes.Extend("RewardHead", inputSchema, inputs, outputs);
    }
}
