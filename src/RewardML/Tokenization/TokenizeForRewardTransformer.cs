using Microsoft.ML;
using Microsoft.ML.Runtime;
using RewardML.Persistence;
using RewardML.Transforms;

namespace RewardML.Tokenization;

/// <summary>
/// Adds <c>Tokens</c> and <c>StepTokenEnds</c> (vectors of Int32) and <c>CodeTokenStart</c> (Int32); made by <see cref="TokenizeForRewardEstimator"/>.
/// Stateless apart from its options (<c>options.json</c>, which names the tokenizer); a folder tokenizer's
/// <c>tokenizer.json</c> and <c>tokenizer_config.json</c> are stored with it, so a saved model does not depend on the folder.
/// </summary>
/// <remarks>
/// Truncation is reported through <see cref="Stats"/>: every row this transformer encodes is counted there. After a pass
/// (training, scoring), <c>transformer.ResetStats().WarnIfTruncated(mlContext, transformer.MaxLength)</c> writes the one
/// summary warning to the MLContext log; <see cref="TokenizationStats.Summary"/> is the same line for a console.
/// </remarks>
public sealed class TokenizeForRewardTransformer : RowMappingTransformerBase
{
    /// <summary>The name that identifies this component in a model zip.</summary>
    public const string ComponentName = "RewardML.TokenizeForReward";

    /// <summary>The newest layout of the saved state that this version writes and reads.</summary>
    internal const int CurrentStateVersion = 1;

    private const string OptionsEntry = "options.json";
    private const string TokenizerJsonEntry = "tokenizer/tokenizer.json";
    private const string TokenizerConfigEntry = "tokenizer/tokenizer_config.json";
    private const string ModelVocabularyEntry = "tokenizer/model_vocab_size.json";

    private readonly TokenizeForRewardEstimator.Options _options;
    private readonly RewardSequenceBuilder _builder;
    private readonly InputColumn<string> _prompt;
    private readonly InputColumn<string> _code;
    private readonly InputColumn<int[]>? _stepEnds;
    private readonly InputColumn<string>? _starterCode;
    private readonly InputColumn<bool>? _callBased;
    private readonly OutputColumn<int[]> _tokens;
    private readonly OutputColumn<int[]> _stepTokenEnds;
    private readonly OutputColumn<int> _codeTokenStart;

    internal TokenizeForRewardTransformer(TokenizeForRewardEstimator.Options options, RewardTokenizer? tokenizer = null)
        : base("TokenizeForReward")
    {
        options.Validate();
        _options = options.Clone();
        var rewardTokenizer = tokenizer ?? CreateTokenizer(_options.Tokenizer);
        _builder = new RewardSequenceBuilder(rewardTokenizer, PromptTemplate.Resolve(_options.Template, rewardTokenizer), _options.Format, _options.MaxLength);
        _prompt = RowColumnType.Text.Input(_options.PromptColumnName);
        _code = RowColumnType.Text.Input(_options.CodeColumnName);
        _stepEnds = _options.StepEndsColumnName is { } ends ? RowColumnType.Int32Vector.Input(ends) : null;
        _starterCode = _options.StarterCodeColumnName is { } starter ? RowColumnType.Text.Input(starter) : null;
        _callBased = _options.CallBasedColumnName is { } callBased ? RowColumnType.Boolean.Input(callBased) : null;
        _tokens = RowColumnType.Int32Vector.Output(_options.TokensColumnName);
        _stepTokenEnds = RowColumnType.Int32Vector.Output(_options.StepTokenEndsColumnName);
        Inputs = new InputColumn?[] { _prompt, _code, _stepEnds, _starterCode, _callBased }.OfType<InputColumn>().ToArray();
        _codeTokenStart = RowColumnType.Int32.Output(_options.CodeTokenStartColumnName);
        Outputs = [_tokens, _stepTokenEnds, _codeTokenStart];
    }

    /// <summary>The tokenizer in use.</summary>
    public RewardTokenizer Tokenizer => _builder.Tokenizer;

    /// <summary>The most characters of a prompt or program that can reach the kept tokens (<see cref="RewardSequenceBuilder.InputCharBudget"/>).</summary>
    internal int InputCharBudget => _builder.InputCharBudget;

    /// <summary>The resolved prompt template.</summary>
    public PromptTemplate Template => _builder.Template;

    /// <summary>Most tokens per row.</summary>
    public int MaxLength => _options.MaxLength;

    /// <summary>How the prompt is laid out (saved with the model, so scoring reads rows as training did).</summary>
    public PromptFormat Format => _options.Format;

    /// <summary>
    /// The same transformer with another prompt layout, e.g. to score a saved model's rows laid out differently than it
    /// was trained with (which usually scores worse: the model learnt the layout it saw).
    /// </summary>
    /// <param name="format">The layout.</param>
    /// <returns>A new transformer; this one is unchanged.</returns>
    public TokenizeForRewardTransformer WithFormat(PromptFormat format)
    {
        var options = _options.Clone();
        options.Format = format;
        return new TokenizeForRewardTransformer(options, Tokenizer);
    }

    /// <summary>Truncation counts over every row this transformer has encoded (thread-safe, cumulative).</summary>
    public TokenizationStats Stats { get; private set; } = new();

    /// <summary>Returns the counts so far and starts new ones, e.g. to report one pass over the data.</summary>
    public TokenizationStats ResetStats()
    {
        var previous = Stats;
        Stats = new TokenizationStats();
        return previous;
    }

    /// <summary>Encodes one row outside a data view (same rules as the transform).</summary>
    /// <exception cref="ArgumentException">The step ends are not ascending offsets within the program.</exception>
    public RewardSequence Encode(string prompt, string code, IReadOnlyList<int>? stepEnds = null, string? starterCode = null, bool? callBased = null) =>
        _builder.Build(prompt, code, stepEnds ?? [code.Length], starterCode, callBased ?? _options.CallBased);

    /// <inheritdoc/>
    public override string LoaderName => ComponentName;

    /// <inheritdoc/>
    public override int StateVersion => CurrentStateVersion;

    /// <summary>Writes <c>options.json</c>, and for a folder tokenizer its files.</summary>
    /// <exception cref="InvalidDataException">A folder tokenizer's <c>tokenizer.json</c> is gone.</exception>
    public override void SaveState(ComponentStateWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteJson(OptionsEntry, _options);
        if (_options.Tokenizer.Kind != TokenizerSpec.FolderKind) return;
        string folder = _options.Tokenizer.Path!;
        string json = Path.Combine(folder, TokenizerJsonReader.TokenizerFile);
        if (!File.Exists(json)) throw new InvalidDataException($"{json}: not found; the tokenizer folder changed since the transformer was made.");
        writer.WriteBytes(TokenizerJsonEntry, File.ReadAllBytes(json));
        string config = Path.Combine(folder, TokenizerJsonReader.TokenizerConfigFile);
        if (File.Exists(config)) writer.WriteBytes(TokenizerConfigEntry, File.ReadAllBytes(config));
        writer.WriteJson(ModelVocabularyEntry, Tokenizer.ModelVocabularySize);
    }

    /// <summary>Rebuilds a transformer from the state <see cref="SaveState"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The state is from a newer version, or its options or tokenizer are invalid.</exception>
    /// <remarks>Found by <c>RewardMLComponents.Register</c> through its attribute; it needs no environment (<paramref name="env"/> may be null).</remarks>
    [ComponentLoader(ComponentName, CurrentStateVersion)]
    internal static TokenizeForRewardTransformer Load(IHostEnvironment? env, ComponentStateReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.StateVersion > CurrentStateVersion)
            throw new InvalidDataException($"{reader.Source}: TokenizeForReward state version {reader.StateVersion} is newer than this RewardML reads ({CurrentStateVersion}).");
        var options = reader.ReadJson<TokenizeForRewardEstimator.Options>(OptionsEntry);
        try
        {
            RewardTokenizer? tokenizer = null;
            if (options.Tokenizer?.Kind == TokenizerSpec.FolderKind && reader.Names.Contains(TokenizerJsonEntry))
            {
                byte[]? config = reader.Names.Contains(TokenizerConfigEntry) ? reader.ReadBytes(TokenizerConfigEntry) : null;
                tokenizer = TokenizerJsonReader.Read(reader.ReadBytes(TokenizerJsonEntry), config, reader.ReadJson<int?>(ModelVocabularyEntry),
                    options.Tokenizer, $"{reader.Source}/{TokenizerJsonEntry}");
            }
            return new TokenizeForRewardTransformer(options, tokenizer);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{reader.Source}/{OptionsEntry}: {e.Message}", e);
        }
    }

    internal override IReadOnlyList<InputColumn> Inputs { get; }
    internal override IReadOnlyList<OutputColumn> Outputs { get; }

    internal override RowBlockMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this);

    private static RewardTokenizer CreateTokenizer(TokenizerSpec spec)
    {
        try
        {
            return RewardTokenizer.Create(spec);
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException($"TokenizeForReward: tokenizer {spec}: {e.Message}", e);
        }
    }

    private sealed class Mapper(TokenizeForRewardTransformer owner) : RowBlockMapper
    {
        public override void Map(RowBlock block)
        {
            for (int row = 0; row < block.Count; row++)
            {
                string prompt = block.Get(owner._prompt, row);
                string code = block.Get(owner._code, row);
                IReadOnlyList<int> ends = owner._stepEnds is null ? [code.Length] : block.Get(owner._stepEnds, row);
                string? starter = owner._starterCode is null ? null : block.Get(owner._starterCode, row);
                bool callBased = owner._callBased is null ? owner._options.CallBased : block.Get(owner._callBased, row);
                RewardSequence sequence;
                try
                {
                    sequence = owner._builder.Build(prompt, code, ends, starter, callBased);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException($"TokenizeForReward: row {block.PositionOf(row)}, column '{owner._options.StepEndsColumnName}': {e.Message}", e);
                }
                owner.Stats.Add(sequence);
                block.Set(owner._tokens, row, sequence.Tokens);
                block.Set(owner._stepTokenEnds, row, sequence.StepTokenEnds);
                block.Set(owner._codeTokenStart, row, sequence.CodeTokenStart);
            }
        }
    }
}
