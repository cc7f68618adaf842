using RewardML.Tokenization;

namespace RewardML.Pretraining;

/// <summary>
/// A corpus as next-token training data: the documents in a seeded order, each tokenized and followed by
/// <c>&lt;|endoftext|&gt;</c>, joined into one stream and cut into sequences of <c>length + 1</c> tokens (the inputs are a
/// sequence's first <c>length</c> tokens, the targets its last <c>length</c>). The last sequences of the stream are held
/// out for the validation loss (at most a tenth when the corpus runs out first); tokenizing stops once the stream holds what training and validation use.
/// </summary>
internal sealed class PackedSequences
{
    private PackedSequences(List<int[]> train, List<int[]> validation, int documents, long characters)
    {
        Train = train;
        Validation = validation;
        Documents = documents;
        Characters = characters;
    }

    /// <summary>Training sequences, each <c>length + 1</c> tokens.</summary>
    public IReadOnlyList<int[]> Train { get; }

    /// <summary>Held-out sequences for the validation loss.</summary>
    public IReadOnlyList<int[]> Validation { get; }

    /// <summary>Documents tokenized (a prefix of the seeded order).</summary>
    public int Documents { get; }

    /// <summary>Characters of the documents tokenized.</summary>
    public long Characters { get; }

    /// <summary>Tokenizes documents of <paramref name="corpus"/> in a <paramref name="seed"/>ed order until there are
    /// <paramref name="trainSequences"/> + <paramref name="validationSequences"/> sequences, or the corpus ends.</summary>
    /// <exception cref="InvalidDataException">The corpus does not fill one training and one validation sequence.</exception>
    public static PackedSequences Pack(CodeCorpus corpus, RewardTokenizer tokenizer, int length, int trainSequences, int validationSequences, int seed,
        CancellationToken cancellation = default)
    {
        int endOfText = tokenizer.SpecialTokenId("<|endoftext|>");
        var order = Enumerable.Range(0, corpus.Documents.Count).ToArray();
        new Random(seed).Shuffle(order);
        long wanted = (long)(trainSequences + validationSequences) * (length + 1);
        var stream = new List<int>();
        int next = 0;
        long characters = 0;
        const int Block = 64; // documents tokenized in parallel at a time
        while (stream.Count < wanted && next < order.Length)
        {
            cancellation.ThrowIfCancellationRequested();
            var block = order.Skip(next).Take(Block).Select(i => corpus.Documents[i].Text).ToArray();
            var ids = new IReadOnlyList<TokenSpan>[block.Length];
            Parallel.For(0, block.Length, new ParallelOptions { CancellationToken = cancellation }, i => ids[i] = tokenizer.Encode(block[i]));
            for (int i = 0; i < block.Length && stream.Count < wanted; i++)
            {
                stream.AddRange(ids[i].Select(s => s.Id));
                stream.Add(endOfText);
                characters += block[i].Length;
                next++;
            }
        }
        var sequences = new List<int[]>();
        for (int start = 0; start + length + 1 <= stream.Count && sequences.Count < trainSequences + validationSequences; start += length + 1)
            sequences.Add(stream.GetRange(start, length + 1).ToArray());
        int held = sequences.Count >= trainSequences + validationSequences
            ? validationSequences
            : Math.Min(validationSequences, Math.Max(1, sequences.Count / 10)); // a corpus that ran out keeps most of itself for training
        if (sequences.Count - held < 1 || (validationSequences > 0 && held < 1))
            throw new InvalidDataException($"Pretraining corpus: {corpus.Documents.Count} documents make {sequences.Count} sequences of {length + 1} tokens; " +
                                           "at least one for training and one for validation are needed (add code or shorten the sequences).");
        return new PackedSequences(sequences.GetRange(0, sequences.Count - held), sequences.GetRange(sequences.Count - held, held), next, characters);
    }
}
