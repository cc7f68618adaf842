using Microsoft.ML.Tokenizers;
using RewardML.Modeling;

namespace RewardML.Rollouts;

/// <summary>
/// The in-process backend: samples with a <see cref="PhiGenerator"/> (KV cache) and turns its token ids and
/// log-probabilities into text with character offsets, so branching works as with a server.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Log-probabilities are the model's own (temperature 1, no top-p; <see cref="GenerationResult.LogProbs"/>), as vLLM reports them.</item>
/// <item>A token's offset is the length of the decoded text before it; a token that ends inside a multi-byte character
/// (the decoder shows a trailing U+FFFD) is placed at the start of that character.</item>
/// <item>The generator knows stop <em>tokens</em> only: stop strings are applied to the decoded text afterwards
/// (the text and tokens end before the first stop string; sampling past it is wasted work). A final stop token is not part of the text.</item>
/// <item>Calls are serialised (one model, one sequence at a time).</item>
/// </list>
/// </remarks>
public sealed class PhiCompletionGenerator : ICompletionGenerator
{
    private readonly PhiGenerator _generator;
    private readonly Func<string, IReadOnlyList<int>> _encode;
    private readonly Func<IEnumerable<int>, string> _decode;
    private readonly IReadOnlyList<int>? _stopTokens;
    private readonly SemaphoreSlim _oneAtATime = new(1);

    /// <summary>Uses <paramref name="tokenizer"/> (the model's, e.g. the Phi-4 tokenizer) to encode prompts and decode samples.</summary>
    /// <param name="generator">The model's generator.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="stopTokens">Token ids that end sampling; null = the model config's end-of-text ids.</param>
    public PhiCompletionGenerator(PhiGenerator generator, Tokenizer tokenizer, IReadOnlyList<int>? stopTokens = null)
        : this(generator, text => tokenizer.EncodeToIds(text), tokenizer.Decode, stopTokens)
    {
    }

    /// <summary>Uses the given encoder and decoder (any tokenization the model was trained with).</summary>
    /// <param name="generator">The model's generator.</param>
    /// <param name="encode">Text → token ids.</param>
    /// <param name="decode">Token ids → text; invalid UTF-8 at the end shows as U+FFFD or nothing.</param>
    /// <param name="stopTokens">Token ids that end sampling; null = the model config's end-of-text ids.</param>
    public PhiCompletionGenerator(PhiGenerator generator, Func<string, IReadOnlyList<int>> encode, Func<IEnumerable<int>, string> decode, IReadOnlyList<int>? stopTokens = null)
    {
        _generator = generator ?? throw new ArgumentNullException(nameof(generator));
        _encode = encode ?? throw new ArgumentNullException(nameof(encode));
        _decode = decode ?? throw new ArgumentNullException(nameof(decode));
        _stopTokens = stopTokens;
    }

    /// <inheritdoc />
    public async Task<Completion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => Complete(request), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private Completion Complete(CompletionRequest request)
    {
        GenerationResult result;
        try
        {
            result = _generator.Generate(_encode(request.Prompt), new GenerationOptions
            {
                MaxNewTokens = request.MaxTokens,
                Temperature = request.Temperature,
                TopP = request.TopP,
                Seed = request.Seed,
                StopTokens = _stopTokens,
            });
        }
        catch (ArgumentException e)
        {
            throw new CompletionException($"in-process model: {e.Message}", e);
        }

        var ids = result.Tokens;
        int textTokens = result.StopReason == StopReason.StopToken ? ids.Count - 1 : ids.Count;
        string text = _decode(ids.Take(textTokens));
        var offsets = DecodedOffsets(ids, textTokens, text);

        int end = text.Length;
        foreach (string stop in request.Stop.Where(s => s.Length > 0))
        {
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0) end = Math.Min(end, at);
        }
        string finish = end < text.Length || result.StopReason == StopReason.StopToken ? "stop" : "length";

        var tokens = new List<SampledToken>(textTokens);
        for (int i = 0; i < textTokens && offsets[i] < end; i++)
            tokens.Add(new SampledToken(_decode([ids[i]]), result.LogProbs[i], offsets[i]));
        return new Completion(text[..end], tokens, finish);
    }

    /// <summary>Offset of token i = length of the stable decoded text of tokens 0..i-1 (no trailing partial character).</summary>
    private int[] DecodedOffsets(IReadOnlyList<int> ids, int count, string text)
    {
        var offsets = new int[count];
        int previous = 0;
        for (int i = 1; i < count; i++)
        {
            string before = _decode(ids.Take(i)).TrimEnd('\uFFFD');
            int stable = CommonPrefixLength(before, text);
            if (stable > 0 && char.IsHighSurrogate(text[stable - 1])) stable--; // never split a surrogate pair
            previous = Math.Max(previous, stable);
            offsets[i] = previous;
        }
        return offsets;
    }

    private static int CommonPrefixLength(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
