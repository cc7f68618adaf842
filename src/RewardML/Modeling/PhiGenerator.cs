using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Autoregressive generation from a <see cref="PhiRewardModel"/>'s LM head with a KV cache: greedy, temperature,
/// top-p, seeded; returns each sampled token's log-probability (rollout branching picks the least likely tokens).
/// </summary>
/// <remarks>
/// One sequence at a time; the model is put in evaluation mode and run without autograd. As in transformers,
/// when a LongRoPE sequence grows past <c>original_max_position_embeddings</c> the cache (built with the short
/// factors) is dropped and the whole sequence is re-encoded once with the long factors.
/// </remarks>
public sealed class PhiGenerator
{
    private readonly PhiRewardModel _model;

    /// <summary>Generates with <paramref name="model"/>.</summary>
    public PhiGenerator(PhiRewardModel model) => _model = model;

    /// <summary>Continues <paramref name="promptIds"/>.</summary>
    /// <exception cref="ArgumentException">Empty prompt, a token id outside the vocabulary, or bad options.</exception>
    public GenerationResult Generate(IReadOnlyList<int> promptIds, GenerationOptions options)
    {
        options.Validate();
        var config = _model.Config;
        if (promptIds.Count == 0) throw new ArgumentException("The prompt is empty; at least one token id is needed.", nameof(promptIds));
        for (int i = 0; i < promptIds.Count; i++)
            if (promptIds[i] < 0 || promptIds[i] >= config.VocabSize)
                throw new ArgumentException($"Prompt token {i} has id {promptIds[i]}, outside the vocabulary [0, {config.VocabSize}).", nameof(promptIds));

        var stops = (options.StopTokens ?? config.EosTokenIds).ToHashSet();
        using var sampler = options.IsGreedy ? null : new Generator((ulong)(options.Seed ?? Random.Shared.NextInt64()), CPU);
        var sequence = promptIds.ToList();
        var tokens = new List<int>();
        var logProbs = new List<float>();
        var samplingLogProbs = new List<float>();
        var reason = StopReason.MaxNewTokens;

        bool wasTraining = _model.training;
        _model.eval();
        try
        {
            using var _ = no_grad();
            using var cache = new PhiKvCache(config.NumHiddenLayers);
            var logits = Step(sequence, cache);
            while (tokens.Count < options.MaxNewTokens)
            {
                if (sequence.Count >= config.MaxPositionEmbeddings) { reason = StopReason.MaxLength; break; }
                var (token, logProb, samplingLogProb) = Choose(logits, options, sampler);
                logits.Dispose();
                tokens.Add(token);
                logProbs.Add(logProb);
                samplingLogProbs.Add(samplingLogProb);
                sequence.Add(token);
                if (stops.Contains(token)) { reason = StopReason.StopToken; break; }
                if (tokens.Count == options.MaxNewTokens) break;
                logits = Step(sequence, cache);
            }
        }
        finally
        {
            _model.train(wasTraining);
        }
        return new GenerationResult(tokens, logProbs, samplingLogProbs, reason);
    }

    /// <summary>Feeds the tokens the cache has not seen; returns float32 logits [vocab] of the last position.</summary>
    private Tensor Step(List<int> sequence, PhiKvCache cache)
    {
        using var scope = NewDisposeScope();
        if (cache.Length > 0 && !cache.UsesLongFactors && _model.Model.UsesLongRopeFactors(sequence.Count))
            cache.Clear(); // crossing into LongRoPE's long factors: re-encode everything, as transformers does
        int start = (int)cache.Length;
        var ids = tensor(sequence.Skip(start).Select(t => (long)t).ToArray(), device: _model.Device).unsqueeze(0);
        var (hidden, _) = _model.Model.Forward(ids, null, cache);
        var last = hidden.narrow(1, hidden.shape[1] - 1, 1).squeeze(1).squeeze(0);
        return _model.Logits(last).to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    private static (int Token, float LogProb, float SamplingLogProb) Choose(Tensor logits, GenerationOptions options, Generator? sampler)
    {
        using var scope = NewDisposeScope();
        var modelLogProbs = logits.log_softmax(-1);
        if (options.IsGreedy)
        {
            int best = (int)logits.argmax().item<long>();
            return (best, modelLogProbs[best].item<float>(), 0f);
        }

        var probs = (logits / options.Temperature).softmax(-1);
        if (options.TopP < 1)
        {
            var (sorted, order) = probs.sort(-1, descending: true);
            // Keep a token when the mass before it is still short of top_p: the smallest set reaching top_p.
            var before = sorted.cumsum(-1) - sorted;
            var keepSorted = before.lt(options.TopP);
            var keep = zeros_like(sorted).scatter(-1, order, keepSorted.to(ScalarType.Float32));
            probs = probs * keep;
            probs = probs / probs.sum();
        }
        int token = (int)probs.multinomial(1, generator: sampler).item<long>();
        return (token, modelLogProbs[token].item<float>(), (float)Math.Log(probs[token].item<float>()));
    }
}
