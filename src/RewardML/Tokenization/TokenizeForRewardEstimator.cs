using Microsoft.ML;

namespace RewardML.Tokenization;

/// <summary>
/// Encodes prompt and program for a reward model: renders the prompt template, tokenizes the full text once with a Phi
/// tokenizer, and maps every step to the token whose value scores it. Create it with
/// <see cref="RewardML.TokenizeForRewardCatalog.TokenizeForReward(TransformsCatalog, TokenizerSpec?, int, string, string, string)"/>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No |
/// | Input column data type | text (prompt, program), vector of Int32 (step ends) |
/// | Output column data type | vector of Int32 (`Tokens`, `StepTokenEnds`) |
/// | Exportable to ONNX | No |
///
/// ### Columns
/// | column | type | default name | meaning |
/// | -- | -- | -- | -- |
/// | input | text | `Prompt` | the problem statement |
/// | input | text | `Code` | the candidate program |
/// | input | vector of Int32 | `StepEnds` | character offset in the program where each step ends (from SegmentSteps); ascending |
/// | input, optional | text | (none) | `StarterCodeColumnName`: APPS starter code |
/// | input, optional | Boolean | (none) | `CallBasedColumnName`: whether the APPS problem is call-based (`fn_name`); without it, `Options.CallBased` |
/// | output | vector of Int32 | `Tokens` | token ids of template + prompt + program, at most `MaxLength` |
/// | output | vector of Int32 | `StepTokenEnds` | per step, the position in `Tokens` whose value scores it; `-1` = outside the window |
/// | output | Int32 | `CodeTokenStart` | position in `Tokens` of the program's first token (`Tokens` length when the program is empty or outside the window) |
///
/// The text is `Template` around the prompt (laid out by `Format`, APPS by default) and the program. A step ending at
/// character E is scored at the last token that ends at or before E, or at the token straddling E when that token goes on
/// past E with whitespace only (see <xref:RewardML.Tokenization.StepTokenAlignment>). Too long a text loses the end of its
/// prompt first; a program that still does not fit is cut at `MaxLength`, and its steps past the cut get `-1` (excluded from
/// training, scored as missing) and are counted in <xref:RewardML.Tokenization.TokenizeForRewardTransformer.Stats>.
/// ]]></format>
/// </remarks>
public sealed class TokenizeForRewardEstimator : IEstimator<TokenizeForRewardTransformer>
{
    private readonly Options _options;

    /// <summary>Options of <see cref="TokenizeForRewardEstimator"/>; saved as JSON with the model.</summary>
    public sealed class Options
    {
        /// <summary>The problem statement column (text). Default <c>Prompt</c>.</summary>
        public string PromptColumnName { get; set; } = "Prompt";

        /// <summary>The program column (text). Default <c>Code</c>.</summary>
        public string CodeColumnName { get; set; } = "Code";

        /// <summary>
        /// The step ends column (vector of Int32, character offsets in the program). Default <c>StepEnds</c>. Null: no
        /// steps column; every row has one step, the whole program (an outcome reward model).
        /// </summary>
        public string? StepEndsColumnName { get; set; } = "StepEnds";

        /// <summary>Optional column (text) of APPS starter code, placed after the question in the APPS format. Default none.</summary>
        public string? StarterCodeColumnName { get; set; }

        /// <summary>
        /// Optional column (Boolean) saying whether each problem is call-based (APPS <c>fn_name</c>: "Use Call-Based format")
        /// rather than standard input ("Use Standard Input format"). Default none: <see cref="CallBased"/> for every row.
        /// </summary>
        public string? CallBasedColumnName { get; set; }

        /// <summary>Whether problems are call-based when there is no <see cref="CallBasedColumnName"/>. Default false (standard input).</summary>
        public bool CallBased { get; set; }

        /// <summary>The output column of token ids (vector of Int32). Default <c>Tokens</c>.</summary>
        public string TokensColumnName { get; set; } = "Tokens";

        /// <summary>The output column of scoring positions (vector of Int32). Default <c>StepTokenEnds</c>.</summary>
        public string StepTokenEndsColumnName { get; set; } = "StepTokenEnds";

        /// <summary>
        /// The output column (Int32) of the program's first token position, which the reward head uses for
        /// <c>AllCodeTokens</c> targets and the evaluator for value-by-position. Default <c>CodeTokenStart</c>.
        /// </summary>
        public string CodeTokenStartColumnName { get; set; } = "CodeTokenStart";

        /// <summary>The tokenizer: <see cref="TokenizerSpec.Phi4"/> (default), <see cref="TokenizerSpec.Phi4Mini"/> or a folder.</summary>
        public TokenizerSpec Tokenizer { get; set; } = TokenizerSpec.Phi4;

        /// <summary>
        /// The prompt template: <c>plain</c> (default), <c>phi4-chat</c>, <c>phi4-mini-chat</c>, <c>chat</c> (the tokenizer's),
        /// or a text with <c>{prompt}</c> and <c>{code}</c> (see <see cref="PromptTemplate"/>).
        /// </summary>
        public string Template { get; set; } = PromptTemplate.PlainName;

        /// <summary>How the prompt is laid out inside the template. Default <see cref="PromptFormat.Apps"/>.</summary>
        public PromptFormat Format { get; set; } = PromptFormat.Apps;

        /// <summary>Most tokens per row; longer texts lose the end of the prompt first. Default 4096.</summary>
        public int MaxLength { get; set; } = 4096;

        internal Options Clone() => (Options)MemberwiseClone();

        internal void Validate()
        {
            RequireName(PromptColumnName, nameof(PromptColumnName));
            RequireName(CodeColumnName, nameof(CodeColumnName));
            RequireName(TokensColumnName, nameof(TokensColumnName));
            RequireName(StepTokenEndsColumnName, nameof(StepTokenEndsColumnName));
            RequireName(CodeTokenStartColumnName, nameof(CodeTokenStartColumnName));
            if (new[] { TokensColumnName, StepTokenEndsColumnName, CodeTokenStartColumnName }.Distinct().Count() < 3)
                throw new ArgumentException($"TokenizeForReward: {nameof(TokensColumnName)}, {nameof(StepTokenEndsColumnName)} and {nameof(CodeTokenStartColumnName)} must differ ('{TokensColumnName}', '{StepTokenEndsColumnName}', '{CodeTokenStartColumnName}').");
            if (StepEndsColumnName is not null) RequireName(StepEndsColumnName, nameof(StepEndsColumnName));
            if (StarterCodeColumnName is not null) RequireName(StarterCodeColumnName, nameof(StarterCodeColumnName));
            if (CallBasedColumnName is not null) RequireName(CallBasedColumnName, nameof(CallBasedColumnName));
            if (MaxLength <= 0) throw new ArgumentOutOfRangeException(nameof(MaxLength), $"TokenizeForReward: {nameof(MaxLength)} must be positive, got {MaxLength}.");
            if (!Enum.IsDefined(Format)) throw new ArgumentOutOfRangeException(nameof(Format), $"TokenizeForReward: unknown prompt format {(int)Format}.");
            if (Tokenizer is null) throw new ArgumentException($"TokenizeForReward: {nameof(Tokenizer)} must be set.");
            if (string.IsNullOrWhiteSpace(Template)) throw new ArgumentException($"TokenizeForReward: {nameof(Template)} must be set.");
        }

        private static void RequireName(string? name, string option)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"TokenizeForReward: {option} must name a column.");
        }
    }

    /// <summary>Creates the estimator; prefer <see cref="RewardML.TokenizeForRewardCatalog"/>'s extension methods.</summary>
    /// <exception cref="ArgumentException">An option is invalid, the template is malformed or the tokenizer cannot be read.</exception>
    public TokenizeForRewardEstimator(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _ = new TokenizeForRewardTransformer(_options); // fails on bad options now rather than at Fit
    }

    /// <summary>Returns the transformer; tokenization is stateless, so the data is only checked for its columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type.</exception>
    public TokenizeForRewardTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new TokenizeForRewardTransformer(_options);
        _ = transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The input shape with <c>Tokens</c> and <c>StepTokenEnds</c> added.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong shape.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => new TokenizeForRewardTransformer(_options).GetOutputShape(inputSchema);
}
