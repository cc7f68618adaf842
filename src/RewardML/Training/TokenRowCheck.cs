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
                throw new InvalidDataException($"{where}, column '{tokensColumn}': token id {tokens[i]} at position {i} is outside the model's embedding (vocabulary {vocabSize}); was the data tokenized for another model?");
        foreach (int e in stepTokenEnds)
            if (e < -1 || e >= tokens.Length)
                throw new InvalidDataException($"{where}, column '{stepTokenEndsColumn}': position {e} is outside the row's {tokens.Length} tokens (-1 marks a step outside the window).");
    }
}
