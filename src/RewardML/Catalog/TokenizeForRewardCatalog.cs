using Microsoft.ML;
using RewardML.Tokenization;

namespace RewardML;

/// <summary>Creates <see cref="TokenizeForRewardEstimator"/> from <c>mlContext.Transforms</c>.</summary>
public static class TokenizeForRewardCatalog
{
    /// <summary>
    /// Encodes prompt and program for a reward model: adds <c>Tokens</c> (vector of Int32, the token ids) and
    /// <c>StepTokenEnds</c> (vector of Int32, the token position that scores each step; <c>-1</c> outside the window).
    /// Uses the APPS prompt layout without a chat wrapper; use the <see cref="TokenizeForRewardEstimator.Options"/>
    /// overload for templates, starter code, the call-based flag and column names.
    /// </summary>
    /// <param name="catalog">The transform catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="tokenizer">The tokenizer; <see cref="TokenizerSpec.Phi4"/> when null.</param>
    /// <param name="maxLength">Most tokens per row; longer texts lose the end of the prompt first.</param>
    /// <param name="promptColumnName">The problem statement column (text).</param>
    /// <param name="codeColumnName">The program column (text).</param>
    /// <param name="stepEndsColumnName">The step ends column (vector of Int32) from SegmentSteps.</param>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// | column | type | direction |
    /// | -- | -- | -- |
    /// | `Prompt` | text | input |
    /// | `Code` | text | input |
    /// | `StepEnds` | vector of Int32 | input: character offset in `Code` where each step ends |
    /// | `Tokens` | vector of Int32 | output: token ids, at most `maxLength` |
    /// | `StepTokenEnds` | vector of Int32 | output: per step, the position in `Tokens` whose value scores it; `-1` = outside the window |
    /// ]]></format>
    /// </remarks>
    /// <example><code>
    /// var pipeline = mlContext.Transforms.SegmentSteps(StepStrategy.PythonStatements)
    ///     .Append(mlContext.Transforms.TokenizeForReward(TokenizerSpec.Phi4Mini, maxLength: 2048));
    /// </code></example>
    public static TokenizeForRewardEstimator TokenizeForReward(this TransformsCatalog catalog, TokenizerSpec? tokenizer = null,
        int maxLength = 4096, string promptColumnName = "Prompt", string codeColumnName = "Code", string stepEndsColumnName = "StepEnds")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenizeForRewardEstimator(new TokenizeForRewardEstimator.Options
        {
            Tokenizer = tokenizer ?? TokenizerSpec.Phi4,
            MaxLength = maxLength,
            PromptColumnName = promptColumnName,
            CodeColumnName = codeColumnName,
            StepEndsColumnName = stepEndsColumnName,
        });
    }

    /// <summary>Encodes prompt and program for a reward model with every option (template, format, columns, tokenizer).</summary>
    /// <param name="catalog">The transform catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="options">The options; copied, so later changes do not affect the estimator.</param>
    /// <remarks>The columns are those of the simple overload, named by <paramref name="options"/>.</remarks>
    public static TokenizeForRewardEstimator TokenizeForReward(this TransformsCatalog catalog, TokenizeForRewardEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenizeForRewardEstimator(options);
    }
}
