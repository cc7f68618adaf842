using System.Diagnostics;

namespace RewardML.Rollouts.Guidance;

/// <summary>
/// One rollout being generated under a guide: sampled a chunk of tokens at a time, each newly complete step valued once.
/// A step is complete when the program continues past its end (or the rollout has finished), so the value of a step is
/// never taken on a half-written line. Used by guided branching rollouts and by <see cref="ValueBeamSearch"/>.
/// </summary>
internal sealed class GuidedRollout
{
    private readonly string _prompt;
    private readonly string _prefix;
    private readonly int _maxTokens;
    private readonly CompletionRequest _template;
    private readonly List<SampledToken> _tokens = [];
    private readonly List<float> _values = [];
    private readonly List<int> _ends = [];
    private string _generated = "";
    private int _chunk;
    private int _valuedUpTo;          // program offset up to which steps have values
    private string? _pendingCode;     // the program prefix waiting to be valued
    private readonly Stopwatch _sampleTime = new();
    private TimeSpan _guideTime;
    private int _forwardPasses;

    /// <param name="request">The request the rollout answers: prompt (+ branch prefix), budget, sampling settings, seed, stops.</param>
    /// <param name="guidePrompt">The problem prompt as the guide was trained on.</param>
    /// <param name="prefix">The branch prefix already in the request's prompt ("" for a fresh rollout).</param>
    public GuidedRollout(CompletionRequest request, string guidePrompt, string prefix)
    {
        _template = request;
        _prompt = guidePrompt;
        _prefix = prefix;
        _maxTokens = request.MaxTokens;
    }

    /// <summary>True when sampling is over: a stop string or end of text, the budget spent, or the guide stopped it.</summary>
    public bool Finished { get; private set; }

    /// <summary>Why sampling ended: the backend's reason, <c>length</c>, or <see cref="GuideStopReason"/>.</summary>
    public string? FinishReason { get; private set; }

    /// <summary>The finish reason of a rollout stopped by its guide.</summary>
    public const string GuideStopReason = "guide_stop";

    /// <summary>The value of the newest valued step; NaN before any.</summary>
    public float LastValue => _values.Count == 0 ? float.NaN : _values[^1];

    /// <summary>The text generated after the prefix.</summary>
    public string Generated => _generated;

    /// <summary>The seed of the latest sampling call.</summary>
    public int LastSeed { get; private set; }

    /// <summary>Samples the next chunk (at most <paramref name="chunkTokens"/> tokens of what is left of the budget).</summary>
    public async Task SampleAsync(ICompletionGenerator generator, int chunkTokens, CancellationToken ct)
    {
        if (Finished) return;
        int left = _maxTokens - _tokens.Count;
        int ask = Math.Min(chunkTokens, left);
        LastSeed = ChunkSeed(_template.Seed, _chunk++);
        var request = _template with { Prompt = _template.Prompt + _generated, MaxTokens = ask, Seed = LastSeed };
        _sampleTime.Start();
        Completion completion;
        try
        {
            completion = await generator.CompleteAsync(request, ct).ConfigureAwait(false);
        }
        finally
        {
            _sampleTime.Stop();
        }
        foreach (var token in completion.Tokens) _tokens.Add(token with { CharOffset = token.CharOffset + _generated.Length });
        _generated += completion.Text;
        // A stop string split across two calls is not seen by the backend: look for it in the joined text.
        int stopAt = _template.Stop.Select(s => _generated.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (stopAt >= 0)
        {
            _generated = _generated[..stopAt];
            _tokens.RemoveAll(t => t.CharOffset >= stopAt);
            Finish("stop");
        }
        else if (completion.Tokens.Count == 0 || completion.FinishReason != "length") Finish(completion.FinishReason);
        else if (_tokens.Count >= _maxTokens) Finish("length");
    }

    /// <summary>The program prefix whose new complete steps need a value, or null when there are none yet.</summary>
    public string? Pending(IValueGuide guide)
    {
        if (_pendingCode is not null) return _pendingCode;
        // Unfinished: only whole lines count, so that a half-written fence or prose line does not move the program.
        string text = _prefix + _generated;
        if (!Finished) text = text[..(text.LastIndexOf('\n') + 1)];
        string code = ProgramExtractor.Extract(text).Code;
        var ends = guide.StepEnds(code);
        int last = ends.Where(e => e > _valuedUpTo && (Finished || e < code.Length)).DefaultIfEmpty(-1).Max();
        _pendingCode = last < 0 ? null : code[..last];
        return _pendingCode;
    }

    /// <summary>
    /// Records the values of the pending prefix's new steps; with <paramref name="options"/>' τ, stops the rollout at the
    /// first new step valued below it. Returns true when the rollout was stopped.
    /// </summary>
    public bool Accept(IValueGuide guide, float[] values, TimeSpan guideTime, GuidanceOptions options)
    {
        string code = _pendingCode ?? throw new InvalidOperationException("GuidedRollout: nothing is pending.");
        _pendingCode = null;
        _forwardPasses++;
        _guideTime += guideTime;
        var ends = guide.StepEnds(code);
        if (values.Length != ends.Count)
            throw new InvalidOperationException($"the guide gave {values.Length} values for {ends.Count} steps.");
        for (int i = 0; i < ends.Count; i++)
        {
            if (ends[i] <= _valuedUpTo) continue;
            _values.Add(values[i]);
            _ends.Add(ends[i]);
            bool lastOfFinished = Finished && i == ends.Count - 1;
            double share = _maxTokens == 0 ? 1 : (double)_tokens.Count / _maxTokens;
            if (!lastOfFinished && options.StopBelow is { } tau && new Evaluation.EarlyStopRule(tau, options.MinShare).Stops(values[i], share))
            {
                _valuedUpTo = ends[i];
                StoppedAtStep = _values.Count - 1;
                Finish(GuideStopReason);
                return true;
            }
        }
        _valuedUpTo = code.Length;
        return false;
    }

    /// <summary>The index of the step that stopped the rollout; null when none did.</summary>
    public int? StoppedAtStep { get; private set; }

    /// <summary>A copy that continues from the same state with its own seeds (beam search's expansions).</summary>
    public GuidedRollout Fork(int seed)
    {
        var copy = new GuidedRollout(_template with { Seed = seed }, _prompt, _prefix)
        {
            _generated = _generated,
            _valuedUpTo = _valuedUpTo,
            Finished = Finished,
            FinishReason = FinishReason,
            StoppedAtStep = StoppedAtStep,
            _guideTime = _guideTime,
            _forwardPasses = _forwardPasses,
        };
        copy._tokens.AddRange(_tokens);
        copy._values.AddRange(_values);
        copy._ends.AddRange(_ends);
        return copy;
    }

    /// <summary>The guide's prompt with the pending program prefix: one row of <see cref="IValueGuide.Values"/>.</summary>
    public (string Prompt, string Code) PendingRow => (_prompt, _pendingCode ?? throw new InvalidOperationException("GuidedRollout: nothing is pending."));

    /// <summary>The rollout as a completion (the text after the prefix).</summary>
    public Completion ToCompletion() => new(_generated, _tokens.ToList(), FinishReason);

    /// <summary>What the guide saw.</summary>
    public GuideTrace Trace() => new(_values.ToList(), _ends.ToList(), StoppedAtStep, _tokens.Count,
        StoppedAtStep is null ? 0 : _maxTokens - _tokens.Count, _forwardPasses, _guideTime, _sampleTime.Elapsed);

    private void Finish(string? reason)
    {
        Finished = true;
        FinishReason = reason;
    }

    /// <summary>A seed per sampling call, from the rollout's seed and the call's index alone (reproducible on resume).</summary>
    private static int ChunkSeed(int seed, int chunk) => chunk == 0 ? seed : (int)(((uint)seed * 2654435761u + (uint)chunk * 40503u) & 0x7FFF_FFFF);
}
