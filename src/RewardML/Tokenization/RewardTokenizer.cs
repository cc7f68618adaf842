using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace RewardML.Tokenization;

/// <summary>
/// A Phi-family tokenizer (built on Microsoft.ML.Tokenizers) with what reward modelling needs on top: character
/// offsets of every token, its special tokens by name, and a check against the model's embedding size.
/// </summary>
/// <remarks>
/// Built-in tokenizers load once per process and are shared (the tiktoken data takes about half a second to load);
/// they are safe to use from several threads. See <see cref="PhiSpecialTokens"/> for the special tokens.
/// </remarks>
public sealed class RewardTokenizer
{
    // cl100k_base has ranks 0..100255 and o200k_base 0..199997; their special tokens sit above.
    private const int Cl100kRegularTokens = 100256;
    private const int O200kRegularTokens = 199998;

    private static readonly ConcurrentDictionary<string, Lazy<RewardTokenizer>> BuiltIn = new(StringComparer.Ordinal);

    // Folder tokenizers are reused while their files are unchanged (estimator, Fit and schema checks each build a transformer).
    private static readonly ConcurrentDictionary<string, (string Stamp, RewardTokenizer Tokenizer)> Folders = new(StringComparer.Ordinal);

    internal RewardTokenizer(TokenizerSpec spec, Tokenizer inner, IReadOnlyDictionary<string, int> specialTokens, int maxTokenId, int? modelVocabularySize)
    {
        Spec = spec;
        Inner = inner;
        SpecialTokens = specialTokens;
        MaxTokenId = maxTokenId;
        ModelVocabularySize = modelVocabularySize;
    }

    /// <summary>Which tokenizer this is; save it to recreate the tokenizer with <see cref="Create"/>.</summary>
    public TokenizerSpec Spec { get; }

    /// <summary>The underlying Microsoft.ML.Tokenizers tokenizer.</summary>
    public Tokenizer Inner { get; }

    /// <summary>Special tokens by text; each encodes to this single id wherever it appears in a text.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>The largest id this tokenizer can produce.</summary>
    public int MaxTokenId { get; }

    /// <summary>
    /// Embedding rows of the model this tokenizer belongs to (100352 for Phi-4, 200064 for Phi-4-mini, <c>vocab_size</c> of the
    /// folder's <c>config.json</c>), or null when unknown.
    /// </summary>
    public int? ModelVocabularySize { get; }

    /// <summary>Creates (or reuses) the tokenizer named by <paramref name="spec"/>.</summary>
    /// <exception cref="InvalidDataException">A folder's <c>tokenizer.json</c> is missing or unusable.</exception>
    public static RewardTokenizer Create(TokenizerSpec spec) => spec.Kind switch
    {
        TokenizerSpec.Phi4Kind => BuiltIn.GetOrAdd(spec.Kind, _ => new(CreatePhi4)).Value,
        TokenizerSpec.Phi4MiniKind => BuiltIn.GetOrAdd(spec.Kind, _ => new(CreatePhi4Mini)).Value,
        _ => FromFolder(spec.Path!),
    };

    /// <summary>The Phi-4 (14B) tokenizer, shared.</summary>
    public static RewardTokenizer Phi4 => Create(TokenizerSpec.Phi4);

    /// <summary>The Phi-4-mini tokenizer, shared.</summary>
    public static RewardTokenizer Phi4Mini => Create(TokenizerSpec.Phi4Mini);

    /// <summary>
    /// Longest run of characters encoded in one call to the underlying tokenizer. A longer text is encoded in pieces cut
    /// where the pre-tokenizer cuts anyway (before a space or tab that follows a non-space), so tokens are unchanged; a run
    /// longer than this without such a place (one huge "word": a megabyte of <c>a</c>) is cut every this many characters,
    /// which bounds the BPE work per piece (it grows faster than linearly in a word's length).
    /// </summary>
    public const int MaxPieceChars = 1024;

    private int? _maxTokenChars;

    /// <summary>
    /// An upper bound on the characters one token spans (the longest vocabulary entry in bytes): the first N tokens of a
    /// text never need more than N × this many of its characters.
    /// </summary>
    public int MaxTokenChars => _maxTokenChars ??= LongestToken();

    // Every id decoded once (about 0.1 s for 200k ids, once per tokenizer); special tokens by their text.
    private int LongestToken()
    {
        int longest = SpecialTokens.Keys.Select(k => k.Length).DefaultIfEmpty(1).Max();
        var id = new int[1];
        for (int i = 0; i <= MaxTokenId; i++)
        {
            id[0] = i;
            string? text;
            try
            {
                text = Inner.Decode(id);
            }
            catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException)
            {
                continue; // an unused id
            }
            if (text is not null && text.Length > longest) longest = text.Length;
        }
        return Math.Max(longest, 1);
    }

    /// <summary>Encodes <paramref name="text"/> into tokens with their character ranges in <paramref name="text"/>.</summary>
    /// <remarks>Work is linear in the text's length: see <see cref="MaxPieceChars"/>.</remarks>
    public IReadOnlyList<TokenSpan> Encode(string text)
    {
        if (text.Length <= MaxPieceChars) return EncodePiece(text, 0, text.Length);
        var spans = new List<TokenSpan>();
        for (int start = 0; start < text.Length;)
        {
            int end = PieceEnd(text, start);
            spans.AddRange(EncodePiece(text, start, end));
            start = end;
        }
        return spans;
    }

    private TokenSpan[] EncodePiece(string text, int start, int end)
    {
        string piece = start == 0 && end == text.Length ? text : text[start..end];
        var encoded = Inner.EncodeToTokens(piece, out _);
        var spans = new TokenSpan[encoded.Count];
        for (int i = 0; i < spans.Length; i++)
        {
            var (offset, length) = encoded[i].Offset.GetOffsetAndLength(piece.Length);
            spans[i] = new TokenSpan(encoded[i].Id, start + offset, start + offset + length);
        }
        return spans;
    }

    // Where the piece starting at `start` ends: the last pre-token boundary within MaxPieceChars, else MaxPieceChars on.
    private static int PieceEnd(string text, int start)
    {
        int limit = start + MaxPieceChars;
        if (limit >= text.Length) return text.Length;
        for (int i = limit; i > start + 1; i--)
            if ((text[i] == ' ' || text[i] == '\t') && !char.IsWhiteSpace(text[i - 1])) return i;
        return char.IsLowSurrogate(text[limit]) ? limit - 1 : limit; // never split a surrogate pair
    }

    /// <summary>Encodes <paramref name="text"/> into token ids.</summary>
    public IReadOnlyList<int> EncodeToIds(string text) => Inner.EncodeToIds(text);

    /// <summary>Decodes ids back into text (special tokens included as their text).</summary>
    public string Decode(IEnumerable<int> ids) => Inner.Decode(ids) ?? "";

    /// <summary>The id of special token <paramref name="token"/>, e.g. <c>&lt;|im_end|&gt;</c>.</summary>
    /// <exception cref="KeyNotFoundException">This tokenizer has no such special token.</exception>
    public int SpecialTokenId(string token) => SpecialTokens.TryGetValue(token, out int id)
        ? id
        : throw new KeyNotFoundException($"Tokenizer {Spec} has no special token '{token}'.");

    /// <summary>
    /// Checks that a model whose embedding has <paramref name="embeddingRows"/> rows can take this tokenizer's ids:
    /// every id must have a row, and a built-in tokenizer must match its model's vocabulary size exactly (Phi-4 and
    /// Phi-4-mini ids would otherwise index the wrong rows without failing).
    /// </summary>
    /// <exception cref="InvalidOperationException">The tokenizer and the model do not belong together.</exception>
    public void EnsureFitsEmbedding(int embeddingRows)
    {
        if (MaxTokenId >= embeddingRows)
            throw new InvalidOperationException(
                $"Tokenizer {Spec} produces ids up to {MaxTokenId}, but the model's embedding has only {embeddingRows} rows: " +
                "the tokenizer does not belong to this model (pick the checkpoint's own tokenizer).");
        if (Spec.Kind != TokenizerSpec.FolderKind && ModelVocabularySize is int expected && expected != embeddingRows)
            throw new InvalidOperationException(
                $"Tokenizer {Spec} belongs to models with {expected} embedding rows, but this model has {embeddingRows}: " +
                "the tokenizer does not belong to this model (pick the checkpoint's own tokenizer).");
    }

    private static RewardTokenizer FromFolder(string folder)
    {
        string stamp = string.Join("|", new[] { TokenizerJsonReader.TokenizerFile, TokenizerJsonReader.TokenizerConfigFile, TokenizerJsonReader.ModelConfigFile }
            .Select(f => new FileInfo(Path.Combine(folder, f)))
            .Select(f => f.Exists ? $"{f.Length}@{f.LastWriteTimeUtc.Ticks}" : "-"));
        if (Folders.TryGetValue(folder, out var cached) && cached.Stamp == stamp) return cached.Tokenizer;
        var tokenizer = TokenizerJsonReader.ReadFolder(folder);
        Folders[folder] = (stamp, tokenizer);
        return tokenizer;
    }

    private static RewardTokenizer CreatePhi4()
    {
        var inner = TiktokenTokenizer.CreateForEncoding("cl100k_base", ExtraSpecialTokens(PhiSpecialTokens.Phi4));
        return new RewardTokenizer(TokenizerSpec.Phi4, inner, PhiSpecialTokens.Phi4,
            Math.Max(Cl100kRegularTokens - 1, PhiSpecialTokens.Phi4.Values.Max()), PhiSpecialTokens.Phi4VocabularySize);
    }

    private static RewardTokenizer CreatePhi4Mini()
    {
        var inner = TiktokenTokenizer.CreateForEncoding("o200k_base", ExtraSpecialTokens(PhiSpecialTokens.Phi4Mini));
        return new RewardTokenizer(TokenizerSpec.Phi4Mini, inner, PhiSpecialTokens.Phi4Mini,
            Math.Max(O200kRegularTokens - 1, PhiSpecialTokens.Phi4Mini.Values.Max()), PhiSpecialTokens.Phi4MiniVocabularySize);
    }

    // The encodings bring their own special tokens (<|endoftext|> ...) with the same ids; pass only the others.
    private static Dictionary<string, int> ExtraSpecialTokens(IReadOnlyDictionary<string, int> all) =>
        all.Where(kv => kv.Key is not ("<|endoftext|>" or "<|endofprompt|>" or "<|fim_prefix|>" or "<|fim_middle|>" or "<|fim_suffix|>"))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
}
