using System.Diagnostics;

namespace RewardML.Serving;

/// <summary>
/// Dynamic batching for a reward model shared by many callers: each <see cref="ScoreAsync"/> prepares its rows on the
/// caller's thread (steps, tokens), then waits in a queue; one worker takes every waiting request that fits the token
/// budget, once the budget is full or the oldest request has waited <c>MaxWait</c>, and scores them together with one
/// <see cref="RewardRowScorer.Score"/> call, so one forward pass runs at a time and requests that arrive together share
/// passes. A request is never split; one larger than the budget is scored alone (cut into passes by the planner).
/// </summary>
/// <remarks>
/// A round that throws is scored again request by request, so only the request at fault fails. <see cref="DisposeAsync"/>
/// refuses new requests and finishes every request already queued before it returns.
/// </remarks>
public sealed class ScoringQueue : IAsyncDisposable
{
    /// <summary>Options for <see cref="ScoringQueue"/>.</summary>
    public sealed class Options
    {
        /// <summary>Default values.</summary>
        public static class Defaults
        {
            /// <summary>Tokens per round (and per forward pass).</summary>
            public const int MaxBatchTokens = 16384;

            /// <summary>Milliseconds the oldest request waits for others to join its round.</summary>
            public const int MaxWaitMilliseconds = 5;

            /// <summary>Requests waiting for a round before new ones are refused.</summary>
            public const int MaxQueue = 256;
        }

        /// <summary>Tokens (up to each row's last scored step) one round takes; also the padded-token budget of a forward pass. Default 16384.</summary>
        public int MaxBatchTokens { get; set; } = Defaults.MaxBatchTokens;

        /// <summary>How long the oldest waiting request waits for others before its round starts anyway. Default 5 ms.</summary>
        public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(Defaults.MaxWaitMilliseconds);

        /// <summary>Requests that may wait for a round; the next one gets <see cref="ScoringQueueFullException"/>. Default 256.</summary>
        public int MaxQueue { get; set; } = Defaults.MaxQueue;

        internal void Validate()
        {
            if (MaxBatchTokens < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatchTokens), $"ScoringQueue: {nameof(MaxBatchTokens)} must be at least 1, got {MaxBatchTokens}.");
            if (MaxWait < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxWait), $"ScoringQueue: {nameof(MaxWait)} must not be negative, got {MaxWait}.");
            if (MaxQueue < 1) throw new ArgumentOutOfRangeException(nameof(MaxQueue), $"ScoringQueue: {nameof(MaxQueue)} must be at least 1, got {MaxQueue}.");
        }
    }

    private sealed record Pending(IReadOnlyList<PreparedRewardRow> Rows, int Tokens, long Enqueued, TaskCompletionSource<IReadOnlyList<RewardItemScore>> Done);

    private readonly RewardRowScorer _scorer;
    private readonly Options _options;
    private readonly Queue<Pending> _waiting = new();
    private readonly object _gate = new();
    private readonly Thread _worker;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waitingTokens;
    private bool _closing;

    /// <summary>Starts the worker that scores with <paramref name="scorer"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option out of range.</exception>
    public ScoringQueue(RewardRowScorer scorer, Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        _scorer = scorer;
        _options = options ?? new Options();
        _options.Validate();
        _worker = new Thread(Work) { IsBackground = true, Name = "rewardml scoring queue" };
        _worker.Start();
    }

    /// <summary>Told after every round, on the worker thread (e.g. for metrics), before the round's callers get their results.</summary>
    public event Action<ScoringRound>? RoundScored;

    /// <summary>Requests waiting for a round now.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate) return _waiting.Count;
        }
    }

    /// <summary>Scores <paramref name="items"/> in the next round they fit; the results are in the items' order.</summary>
    /// <exception cref="ScoringQueueFullException"><c>MaxQueue</c> requests are waiting already.</exception>
    /// <exception cref="ObjectDisposedException">The queue is shutting down.</exception>
    /// <exception cref="InvalidDataException">A row the model cannot make tokens for.</exception>
    public Task<IReadOnlyList<RewardItemScore>> ScoreAsync(IReadOnlyList<RewardItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        ThrowIfRefused(); // before the tokenizer runs: a full queue costs the caller nothing
        var rows = _scorer.Prepare(items);
        if (rows.Count == 0) return Task.FromResult<IReadOnlyList<RewardItemScore>>([]);
        var pending = new Pending(rows, rows.Sum(r => Math.Max(r.Tokens, 1)), Stopwatch.GetTimestamp(),
            new TaskCompletionSource<IReadOnlyList<RewardItemScore>>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            ThrowIfRefused();
            _waiting.Enqueue(pending);
            _waitingTokens += pending.Tokens;
            Monitor.PulseAll(_gate);
        }
        return pending.Done.Task;
    }

    private void ThrowIfRefused()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closing, this);
            if (_waiting.Count >= _options.MaxQueue) throw new ScoringQueueFullException(_options.MaxQueue);
        }
    }

    /// <summary>Refuses new requests, scores every queued one, then stops the worker.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _closing = true;
            Monitor.PulseAll(_gate);
        }
        await _stopped.Task.ConfigureAwait(false);
    }

    private void Work()
    {
        try
        {
            while (NextRound() is { } round) Run(round);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>Blocks until a round is due; null once closing with nothing left.</summary>
    private List<Pending>? NextRound()
    {
        lock (_gate)
        {
            while (_waiting.Count == 0)
            {
                if (_closing) return null;
                Monitor.Wait(_gate);
            }
            long deadline = _waiting.Peek().Enqueued + (long)(_options.MaxWait.TotalSeconds * Stopwatch.Frequency);
            while (!_closing && _waitingTokens < _options.MaxBatchTokens)
            {
                long left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0) break;
                Monitor.Wait(_gate, TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
            }
            var round = new List<Pending> { _waiting.Dequeue() };
            int tokens = round[0].Tokens;
            while (_waiting.Count > 0 && tokens + _waiting.Peek().Tokens <= _options.MaxBatchTokens)
            {
                tokens += _waiting.Peek().Tokens;
                round.Add(_waiting.Dequeue());
            }
            _waitingTokens -= tokens;
            return round;
        }
    }

    private void Run(List<Pending> round)
    {
        var clock = Stopwatch.StartNew();
        var rows = round.SelectMany(p => p.Rows).ToList();
        var outcomes = Score(round, rows);
        // Told before any caller resumes, so whoever reads the metrics after a reply sees that reply's round in them.
        try
        {
            RoundScored?.Invoke(new ScoringRound(round.Count, rows.Count, rows.Sum(r => r.Tokens), clock.Elapsed));
        }
        catch (Exception e)
        {
            Trace.TraceError($"ScoringQueue: a RoundScored handler threw; the round's results are returned all the same. {e}"); // never strand the callers
        }
        for (int i = 0; i < round.Count; i++)
        {
            if (outcomes[i].Error is { } error) round[i].Done.TrySetException(error);
            else round[i].Done.TrySetResult(outcomes[i].Scores!);
        }
    }

    private (IReadOnlyList<RewardItemScore>? Scores, Exception? Error)[] Score(List<Pending> round, List<PreparedRewardRow> rows)
    {
        try
        {
            var scores = _scorer.Score(rows, _options.MaxBatchTokens);
            int offset = 0;
            var outcomes = new (IReadOnlyList<RewardItemScore>?, Exception?)[round.Count];
            for (int i = 0; i < round.Count; i++)
            {
                outcomes[i] = (scores.Skip(offset).Take(round[i].Rows.Count).ToArray(), null);
                offset += round[i].Rows.Count;
            }
            return outcomes;
        }
        catch (Exception) when (round.Count > 1)
        {
            return [.. round.Select(ScoreAlone)]; // find the request at fault
        }
        catch (Exception e)
        {
            return [(null, e)];
        }
    }

    private (IReadOnlyList<RewardItemScore>? Scores, Exception? Error) ScoreAlone(Pending pending)
    {
        try
        {
            return (_scorer.Score(pending.Rows, _options.MaxBatchTokens), null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }
}

/// <summary>One round of a <see cref="ScoringQueue"/>: requests scored together.</summary>
/// <param name="Requests">Requests in the round.</param>
/// <param name="Rows">Rows (programs) in the round.</param>
/// <param name="Tokens">Tokens read by the forward passes, padding left out.</param>
/// <param name="Elapsed">Time the forward passes took.</param>
public sealed record ScoringRound(int Requests, int Rows, int Tokens, TimeSpan Elapsed);

/// <summary>Thrown by <see cref="ScoringQueue.ScoreAsync"/> when <c>MaxQueue</c> requests are waiting already: try again later.</summary>
public sealed class ScoringQueueFullException : Exception
{
    /// <summary>Creates the exception for a queue of <paramref name="maxQueue"/> requests.</summary>
    public ScoringQueueFullException(int maxQueue)
        : base($"The scoring queue is full ({maxQueue} requests waiting); try again shortly.") => MaxQueue = maxQueue;

    /// <summary>The queue's capacity in requests.</summary>
    public int MaxQueue { get; }
}
