namespace RewardML.Training;

/// <summary>The checks every row fed to the model passes, in training and in scoring: ids inside the embedding, step positions inside the row.</summary>
internal static class TokenRowCheck
{
    /// <summary>Throws naming the row and column when a token id or a step position is out of range.</summary>
    /// <remarks><paramref name="where"/> starts the message: "RewardHead: [what, ]row N".</remarks>
    public static void Require(int[] tokens, int[] stepTokenEnds, int vocabSize, string where, string tokensColumn, string stepTokenEndsColumn)
    {
        for (int i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] >= (uint)vocabSize)
                throw new InvalidDataException($"{where}, column '{tokensColumn}': token id {tokens[i]} at position {i} is outside the model's embedding (vocabulary {vocabSize}); was the data tokenized for another model? {FittingTokenizer(vocabSize)}");
        foreach (int e in stepTokenEnds)
            if (e < -1 || e >= tokens.Length)
                throw new InvalidDataException($"{where}, column '{stepTokenEndsColumn}': position {e} is outside the row's {tokens.Length} tokens (-1 marks a step outside the window).");
    }

    /// <summary>Which tokenizer belongs to a backbone of this vocabulary size, as a sentence for the error.</summary>
    internal static string FittingTokenizer(int vocabSize) => vocabSize switch
    {
        Tokenization.PhiSpecialTokens.Phi4VocabularySize => "This backbone has Phi-4's vocabulary: tokenize with TokenizerSpec.Phi4 (--tokenizer phi4), or TokenizerSpec.ForCheckpoint(folder) for a checkpoint.",
        Tokenization.PhiSpecialTokens.Phi4MiniVocabularySize => "This backbone has Phi-4-mini's vocabulary: tokenize with TokenizerSpec.Phi4Mini (--tokenizer phi4-mini), or TokenizerSpec.ForCheckpoint(folder) for a checkpoint.",
        _ => "Tokenize with the backbone's own tokenizer: TokenizerSpec.ForCheckpoint(folder) (its tokenizer.json).",
    };
}
