using Microsoft.ML;
using Microsoft.ML.Runtime;
using RewardML.Modeling;
using RewardML.Persistence;
using RewardML.Training;
using RewardML.Transforms;

namespace RewardML.Scoring;

/// <summary>
/// A trained reward model: adds <c>StepScores</c> (vector of Single), <c>Score</c>, <c>Probability</c> (Single) and
/// <c>PredictedLabel</c> (Boolean) to rows that have <c>Tokens</c> and <c>StepTokenEnds</c>. Made by
/// <see cref="RewardHeadTrainer.Fit(IDataView)"/>; saved and loaded with <c>mlContext.Model.Save</c> / <c>Load</c>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Columns
/// | column | type | default name | meaning |
/// | -- | -- | -- | -- |
/// | input | vector of Int32 | `Tokens` | token ids (TokenizeForReward) |
/// | input | vector of Int32 | `StepTokenEnds` | per step, the position that scores it; `-1` = outside the window |
/// | output | vector of Single | `StepScores` | the value σ(z) at each step end: P(pass \| program up to that step); NaN outside the window |
/// | output | Single | `Score` | logit of the aggregated step values (`Aggregation`: the last step's value by default, the outcome value): ML.NET's raw score, > 0 exactly when the aggregate is > 0.5 |
/// | output | Single | `Probability` | σ(Score / T), T the calibration temperature: without calibration, the aggregated value itself |
/// | output | Boolean | `PredictedLabel` | `Probability ≥ Threshold` |
///
/// ONE forward pass per program scores all of its steps. A cursor reads rows ahead in blocks (`RowsPerBlock`) and scores
/// a block in as few batched passes as the token budget allows, under `no_grad`, one dispose scope per pass; a
/// prediction engine scores one row at a time. One forward runs at a time per model (a lock), so cursors on several
/// threads are safe. `mlContext.BinaryClassification.Evaluate` works on the output (label `Label`, score `Score`).
///
/// Saving stores the scoring options, the backbone's `config.json` and the trained parameters, plus either a reference
/// to the base checkpoint folder with its fingerprint (the base must exist when the zip is loaded; set
/// `REWARDML_BASE_CHECKPOINT` for a copy elsewhere) or, with `EmbedBackbone` and always for the tiny backbone, every parameter.
/// ]]></format>
/// </remarks>
public sealed class RewardHeadTransformer : RowMappingTransformerBase, IDisposable
{
    /// <summary>The name that identifies this component in a model zip.</summary>
    public const string ComponentName = "RewardML.RewardHead";

    internal const int CurrentStateVersion = 1;
    private const string OptionsEntry = "options.json";

    private readonly RewardHeadScoringOptions _options;
    private readonly RewardHeadModelStore.BackboneRecord _record;
    private readonly PhiRewardModel _model;
    private readonly object _forwardGate = new();
    private readonly InputColumn<int[]> _tokens;
    private readonly InputColumn<int[]> _stepTokenEnds;
    private readonly OutputColumn<float[]> _stepScores;
    private readonly OutputColumn<float> _score;
    private readonly OutputColumn<float> _probability;
    private readonly OutputColumn<bool> _predictedLabel;

    internal RewardHeadTransformer(PhiRewardModel model, RewardHeadScoringOptions options, RewardHeadModelStore.BackboneRecord record)
        : base("RewardHead")
    {
        options.Validate();
        _options = options.Clone();
        _record = record;
        _model = model;
        _model.eval();
        _tokens = RowColumnType.Int32Vector.Input(_options.TokensColumnName);
        _stepTokenEnds = RowColumnType.Int32Vector.Input(_options.StepTokenEndsColumnName);
        _stepScores = RowColumnType.SingleVector.Output(_options.StepScoresColumnName);
        _score = RowColumnType.Single.Output(_options.ScoreColumnName);
        _probability = RowColumnType.Single.Output(_options.ProbabilityColumnName);
        _predictedLabel = RowColumnType.Boolean.Output(_options.PredictedLabelColumnName);
        Inputs = [_tokens, _stepTokenEnds];
        Outputs = [_stepScores, _score, _probability, _predictedLabel];
    }

    /// <summary>The model: the Phi decoder with its trained value head.</summary>
    public PhiRewardModel Model => _model;

    /// <summary>The backbone the model was trained on.</summary>
    public RewardBackbone Backbone => _record.Backbone;

    /// <summary>The scoring options (a copy).</summary>
    public RewardHeadScoringOptions ScoringOptions => _options.Clone();

    /// <summary>The calibration temperature (1 = uncalibrated).</summary>
    public double Temperature => _options.Temperature;

    /// <summary>What <c>Fit</c> did (epochs, steps, validation metrics); null for a loaded model.</summary>
    public RewardHeadTrainingSummary? TrainingSummary { get; internal set; }

    /// <summary>The value at each step end of one program (NaN outside the window).</summary>
    /// <exception cref="InvalidDataException">A token id is outside the embedding or a position outside the tokens.</exception>
    public float[] ScoreSteps(int[] tokens, int[] stepTokenEnds) => ScoreRows([Example(tokens, stepTokenEnds, 0)])[0];

    /// <summary>Aggregates step values into the row's score (a logit), calibrated probability and predicted label as this model does.</summary>
    public (float Score, float Probability, bool PredictedLabel) Summarize(ReadOnlySpan<float> stepScores)
    {
        float score = TemperatureCalibration.Logit(ScoreAggregator.Aggregate(_options.Aggregation, stepScores));
        float probability = TemperatureCalibration.Apply(score, _options.Temperature);
        return (score, probability, probability >= _options.Threshold);
    }

    internal float[][] ScoreRows(IReadOnlyList<RewardExample> rows) => ScoreRows(rows, _options.MaxTokensPerBatch);

    /// <summary>As <see cref="ScoreRows(IReadOnlyList{RewardExample})"/>, with passes cut at <paramref name="maxTokensPerBatch"/> padded tokens (a server's round budget).</summary>
    internal float[][] ScoreRows(IReadOnlyList<RewardExample> rows, int maxTokensPerBatch)
    {
        lock (_forwardGate)
            return StepValueScorer.Score(_model, rows, _options.BatchSize, maxTokensPerBatch);
    }

    internal RewardExample Example(int[] tokens, int[] stepTokenEnds, long row)
    {
        TokenRowCheck.Require(tokens, stepTokenEnds, _model.Config.VocabSize, $"RewardHead: row {row}", _options.TokensColumnName, _options.StepTokenEndsColumnName);
        return new RewardExample(row, tokens, stepTokenEnds, null, false, null, 1, null);
    }

    /// <inheritdoc/>
    public override string LoaderName => ComponentName;

    /// <inheritdoc/>
    public override int StateVersion => CurrentStateVersion;

    /// <summary>Writes <c>options.json</c>, <c>backbone.json</c>, <c>config.json</c> and the weights.</summary>
    public override void SaveState(ComponentStateWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteJson(OptionsEntry, _options);
        RewardHeadModelStore.Save(writer, _model, _record);
    }

    /// <summary>Rebuilds the transformer from the state <see cref="SaveState"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The state is newer than this version, damaged, or its base checkpoint is missing or different.</exception>
    [ComponentLoader(ComponentName, CurrentStateVersion)]
    internal static RewardHeadTransformer Load(IHostEnvironment? env, ComponentStateReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.StateVersion > CurrentStateVersion)
            throw new InvalidDataException($"{reader.Source}: RewardHead state version {reader.StateVersion} is newer than this RewardML reads ({CurrentStateVersion}).");
        var options = reader.ReadJson<RewardHeadScoringOptions>(OptionsEntry);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{reader.Source}/{OptionsEntry}: {e.Message}", e);
        }
        var (model, record) = RewardHeadModelStore.Load(reader, options.Compute);
        return new RewardHeadTransformer(model, options, record);
    }

    /// <summary>Frees the model's tensors.</summary>
    public void Dispose() => _model.Dispose();

    internal override IReadOnlyList<InputColumn> Inputs { get; }
    internal override IReadOnlyList<OutputColumn> Outputs { get; }

    internal override RowBlockMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this);

    private sealed class Mapper(RewardHeadTransformer owner) : RowBlockMapper
    {
        public override int PreferredBlockSize => owner._options.RowsPerBlock;

        public override void Map(RowBlock block)
        {
            var rows = new RewardExample[block.Count];
            for (int r = 0; r < block.Count; r++)
                rows[r] = owner.Example(block.Get(owner._tokens, r), block.Get(owner._stepTokenEnds, r), block.PositionOf(r));
            var values = owner.ScoreRows(rows);
            for (int r = 0; r < block.Count; r++)
            {
                var (score, probability, predicted) = owner.Summarize(values[r]);
                block.Set(owner._stepScores, r, values[r]);
                block.Set(owner._score, r, score);
                block.Set(owner._probability, r, probability);
                block.Set(owner._predictedLabel, r, predicted);
            }
        }
    }
}
