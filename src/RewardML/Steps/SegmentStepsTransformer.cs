using Microsoft.ML;
using Microsoft.ML.Runtime;
using RewardML.Persistence;
using RewardML.Transforms;

namespace RewardML.Steps;

/// <summary>
/// Adds the <c>Steps</c> (vector of text) and <c>StepEnds</c> (vector of Int32) columns; made by
/// <see cref="SegmentStepsEstimator"/>. Stateless: its options are all it saves (<c>options.json</c>).
/// </summary>
public sealed class SegmentStepsTransformer : RowMappingTransformerBase
{
    /// <summary>The name that identifies this component in a model zip.</summary>
    public const string ComponentName = "RewardML.SegmentSteps";

    /// <summary>The newest layout of the saved state that this version writes and reads.</summary>
    internal const int CurrentStateVersion = 1;

    private const string OptionsEntry = "options.json";

    private readonly SegmentStepsEstimator.Options _options;
    private readonly IStepSegmenter? _segmenter;
    private readonly InputColumn<string> _code;
    private readonly InputColumn<int[]>? _offsets;
    private readonly OutputColumn<string[]> _steps;
    private readonly OutputColumn<int[]> _stepEnds;

    internal SegmentStepsTransformer(SegmentStepsEstimator.Options options)
        : base("SegmentSteps")
    {
        options.Validate();
        _options = options.Clone();
        _segmenter = StepSegmenters.Create(_options);
        _code = RowColumnType.Text.Input(_options.InputColumnName);
        _offsets = _options.Strategy == StepStrategy.Offsets ? RowColumnType.Int32Vector.Input(_options.OffsetsColumnName) : null;
        _steps = RowColumnType.TextVector.Output(_options.StepsColumnName);
        _stepEnds = RowColumnType.Int32Vector.Output(_options.StepEndsColumnName);
        Inputs = _offsets is null ? [_code] : [_code, _offsets];
        Outputs = [_steps, _stepEnds];
    }

    /// <inheritdoc/>
    public override string LoaderName => ComponentName;

    /// <inheritdoc/>
    public override int StateVersion => CurrentStateVersion;

    /// <summary>Writes the options as <c>options.json</c>.</summary>
    public override void SaveState(ComponentStateWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteJson(OptionsEntry, _options);
    }

    /// <summary>Rebuilds a transformer from the state <see cref="SaveState"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The state is from a newer version or its options are invalid.</exception>
    /// <remarks>Found by <c>RewardMLComponents.Register</c> through its attribute; it needs no environment (<paramref name="env"/> may be null).</remarks>
    [ComponentLoader(ComponentName, CurrentStateVersion)]
    internal static SegmentStepsTransformer Load(IHostEnvironment? env, ComponentStateReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.StateVersion > CurrentStateVersion)
            throw new InvalidDataException($"{reader.Source}: SegmentSteps state version {reader.StateVersion} is newer than this RewardML reads ({CurrentStateVersion}).");
        var options = reader.ReadJson<SegmentStepsEstimator.Options>(OptionsEntry);
        try
        {
            return new SegmentStepsTransformer(options);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{reader.Source}/{OptionsEntry}: {e.Message}", e);
        }
    }

    internal override IReadOnlyList<InputColumn> Inputs { get; }
    internal override IReadOnlyList<OutputColumn> Outputs { get; }

    internal override RowBlockMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this);

    /// <summary>Step ends for one program (and, for <see cref="StepStrategy.Offsets"/>, its offsets).</summary>
    internal IReadOnlyList<int> Segment(string code, int[]? offsets, Func<string> where) =>
        _segmenter?.Segment(code) ?? OffsetStepSegmenter.Segment(code, offsets ?? [], _options.ClampOffsets, where);

    private sealed class Mapper(SegmentStepsTransformer owner) : RowBlockMapper
    {
        public override void Map(RowBlock block)
        {
            for (int row = 0; row < block.Count; row++)
            {
                string code = block.Get(owner._code, row);
                int[]? offsets = owner._offsets is null ? null : block.Get(owner._offsets, row);
                long position = block.PositionOf(row);
                var ends = owner.Segment(code, offsets, () => $"SegmentSteps: row {position}, column '{owner._options.OffsetsColumnName}'");
                var steps = new string[ends.Count];
                for (int s = 0, start = 0; s < ends.Count; start = ends[s], s++) steps[s] = code[start..ends[s]];
                block.Set(owner._steps, row, steps);
                block.Set(owner._stepEnds, row, [.. ends]);
            }
        }
    }
}
