using RewardML.Tokenization;

namespace RewardML.Steps;

/// <summary>
/// The <c>TokenChunks</c> strategy: a step every <see cref="ChunkTokens"/> tokens of the program, ending at token
/// boundaries (character offsets); the last step is always the whole program.
/// </summary>
/// <remarks>
/// The program is tokenized on its own here, so a boundary lies where the program's own tokens end. Once the prompt is
/// prepended, BPE may merge differently at the very start; <see cref="StepTokenAlignment"/> then maps each boundary to the
/// full text's tokens. A character split into several byte tokens ends a chunk only after its last byte.
/// </remarks>
public sealed class TokenChunksSegmenter : IStepSegmenter
{
    /// <summary>Creates the segmenter.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkTokens"/> is not positive.</exception>
    public TokenChunksSegmenter(RewardTokenizer tokenizer, int chunkTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkTokens);
        Tokenizer = tokenizer;
        ChunkTokens = chunkTokens;
    }

    /// <summary>The tokenizer whose tokens are counted.</summary>
    public RewardTokenizer Tokenizer { get; }

    /// <summary>Tokens per step.</summary>
    public int ChunkTokens { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> Segment(string code)
    {
        var tokens = Tokenizer.Encode(code);
        var ends = new List<int>(tokens.Count / ChunkTokens + 1);
        for (int i = ChunkTokens - 1; i < tokens.Count; i += ChunkTokens)
        {
            int end = tokens[i].End;
            if (end < code.Length && (ends.Count == 0 || end > ends[^1])) ends.Add(end);
        }
        ends.Add(code.Length);
        return ends;
    }
}
