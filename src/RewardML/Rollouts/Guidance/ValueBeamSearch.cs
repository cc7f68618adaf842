using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;

namespace RewardML.Rollouts.Guidance;

/// <summary>
/// Step-level beam search with a process reward (the block search of value-guided search papers): from each kept
/// prefix, <see cref="Options.Expand"/> continuations of one step each are sampled; every new prefix is valued (one
/// guide call per depth for all of them); finished programs are set aside, and the <see cref="Options.BeamWidth"/> −
/// finished best-valued unfinished prefixes are kept; until B programs are finished or nothing is left to extend. The
/// B programs land in rollouts.jsonl (rollout ids 0..B−1, best value first, <c>search: "beam"</c>), so <c>label</c>,
/// <c>train</c> and <c>eval</c> take them.
/// </summary>
/// <remarks>
/// Deterministic: every expansion's seed derives from (run seed, problem, depth, beam, expansion) alone, and ties in
/// value keep the earlier expansion. Resumable by problem: a problem with lines in the output is kept; a problem's
/// lines are appended together once it is done.
/// </remarks>
public sealed class ValueBeamSearch
{
    /// <summary>Beam settings.</summary>
    public sealed class Options : SamplingSettings
    {
        /// <summary>B: prefixes kept at each depth, and programs returned per problem. Default 4.</summary>
        public int BeamWidth { get; init; } = 4;

        /// <summary>M: continuations sampled from each kept prefix. Default 4.</summary>
        public int Expand { get; init; } = 4;

        /// <summary>Told, for each problem and depth, what was valued and kept (for reports and tests). Default none.</summary>
        public Action<BeamDepth>? OnDepth { get; init; }

        /// <summary>The guide and chunk size; <see cref="GuidanceOptions.StopBelow"/> is ignored (the beam prunes instead).</summary>
        public required GuidanceOptions Guidance { get; init; }

        internal void Validate()
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BeamWidth, "beam width (B)");
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Expand, "expansions per prefix (M)");
            ValidateSampling();
            Guidance.Validate();
        }
    }

    private readonly ICompletionGenerator _generator;
    private readonly Options _options;
    private readonly IProgramJudge? _judge;
    private readonly GuidanceOptions _guidance;

    /// <summary>Creates the search; without a <paramref name="judge"/> the programs stay unlabelled.</summary>
    public ValueBeamSearch(ICompletionGenerator generator, Options options, IProgramJudge? judge = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _generator = generator;
        _options = options;
        _judge = judge;
        _guidance = new GuidanceOptions { Guide = options.Guidance.Guide, ChunkTokens = options.Guidance.ChunkTokens };
    }

    /// <summary>Searches every problem not yet in <paramref name="outputPath"/>, appending each when done; then labels
    /// (with a judge), weights and rewrites the file in canonical order.</summary>
    public async Task<RolloutRunResult> RunAsync(IReadOnlyList<AppsProblem> problems, string outputPath,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        problems = problems.DistinctBy(p => p.ProblemId).ToList();
        var (existing, badLines) = RolloutFile.Read(outputPath);
        var done = existing.Select(r => r.ProblemId).ToHashSet(StringComparer.Ordinal);
        var records = new List<RolloutRecord>(existing);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var totals = new GuideTotals();
        var gate = new object();
        int finished = 0, generated = 0;
        StreamWriter? writer = null;
        try
        {
            await Parallel.ForEachAsync(problems.Where(p => !done.Contains(p.ProblemId)),
                new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken }, async (problem, ct) =>
                {
                    List<RolloutRecord> found;
                    try
                    {
                        found = await SearchAsync(problem, totals, ct).ConfigureAwait(false);
                    }
                    catch (CompletionException e)
                    {
                        failures.Enqueue($"problem {problem.ProblemId}: {e.Message}");
                        return;
                    }
                    if (_judge is not null)
                        foreach (var record in found) await SamplingSettings.JudgeAsync(_judge, problem, record, failures, ct).ConfigureAwait(false);
                    lock (gate)
                    {
                        writer ??= RolloutFile.OpenForAppend(outputPath);
                        writer.Write(string.Concat(found.Select(r => RolloutFile.Serialize(r) + "\n")));   // one write: a problem lands whole
                        records.AddRange(found);
                        generated += found.Count;
                    }
                    progress?.Report(Interlocked.Increment(ref finished));
                }).ConfigureAwait(false);
        }
        finally
        {
            writer?.Dispose();
        }

        var position = problems.Select((p, i) => (p.ProblemId, i)).ToDictionary(x => x.ProblemId, x => x.i);
        var ordered = records.OrderBy(r => position.GetValueOrDefault(r.ProblemId, int.MaxValue))
            .ThenBy(r => r.ProblemId, StringComparer.Ordinal).ThenBy(r => r.RolloutId).ToList();
        RolloutStatistics.AssignBalancingWeights(ordered);
        RolloutFile.WriteAll(outputPath, ordered);
        return new RolloutRunResult(RolloutStatistics.Report(ordered), generated, existing.Count,
            failures.Order(StringComparer.Ordinal).ToList(), badLines, totals.Summary());
    }

    private async Task<List<RolloutRecord>> SearchAsync(AppsProblem problem, GuideTotals totals, CancellationToken ct)
    {
        string prompt = (_options.Prompt ?? AppsPrompt.Format)(problem);
        var root = new GuidedRollout(new CompletionRequest(prompt, _options.MaxTokens, _options.Temperature, _options.TopP,
            RolloutSeeds.Derive(_options.Seed, problem.ProblemId, 0), _options.Stop), problem.Question, "");
        var beams = new List<GuidedRollout> { root };
        var complete = new List<GuidedRollout>();
        int b = _options.BeamWidth, m = _options.Expand;
        for (int depth = 0; complete.Count < b && beams.Count > 0; depth++)
        {
            var expansions = beams.SelectMany((beam, i) => Enumerable.Range(0, m)
                .Select(e => beam.Fork(RolloutSeeds.Derive(_options.Seed, problem.ProblemId, 1 + (depth * b + i) * m + e)))).ToList();
            await Parallel.ForEachAsync(expansions, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = ct },
                async (x, ct2) => await NextStepAsync(x, ct2).ConfigureAwait(false)).ConfigureAwait(false);
            var pending = expansions.Where(x => x.Pending(_guidance.Guide) is not null).ToList();
            if (pending.Count > 0) GuidedSampler.Value(_guidance, pending);
            // Best value first; a tie keeps the earlier expansion (OrderBy is stable).
            var ranked = expansions.OrderByDescending(x => float.IsNaN(x.LastValue) ? float.NegativeInfinity : x.LastValue).ToList();
            complete.AddRange(ranked.Where(x => x.Finished));
            beams = ranked.Where(x => !x.Finished).Take(Math.Max(0, b - complete.Count)).ToList();
            if (_options.OnDepth is { } observe)
                observe(new BeamDepth(problem.ProblemId, depth,
                    expansions.Select(x => new BeamCandidate(ProgramExtractor.Extract(x.Generated).Code, x.LastValue, x.Finished)).ToList(),
                    beams.Select(x => expansions.IndexOf(x)).ToList()));
        }
        var kept = complete.OrderByDescending(x => float.IsNaN(x.LastValue) ? float.NegativeInfinity : x.LastValue).Take(b).ToList();
        var records = new List<RolloutRecord>(kept.Count);
        for (int id = 0; id < kept.Count; id++)
        {
            var rollout = kept[id];
            var trace = rollout.Trace();
            totals.Add(trace);
            records.Add(new RolloutRecord
            {
                ProblemId = problem.ProblemId, CandidateId = id, RolloutId = id, Code = ProgramExtractor.Extract(rollout.Generated).Code,
                Temperature = _options.Temperature, TopP = _options.TopP, Seed = rollout.LastSeed, MaxTokens = _options.MaxTokens,
                Completion = rollout.Generated, FinishReason = rollout.FinishReason, Guide = GuideRecord.From(trace), Search = "beam",
            });
        }
        return records;
    }

    /// <summary>Samples until the rollout has a new complete step to value, or finishes.</summary>
    private async Task NextStepAsync(GuidedRollout rollout, CancellationToken ct)
    {
        while (!rollout.Finished)
        {
            await rollout.SampleAsync(_generator, _guidance.ChunkTokens, ct).ConfigureAwait(false);
            if (rollout.Pending(_guidance.Guide) is not null) return;
        }
    }
}

/// <summary>One expansion at one depth of <see cref="ValueBeamSearch"/>.</summary>
/// <param name="Code">The program so far.</param>
/// <param name="Value">The guide's value of its newest step.</param>
/// <param name="Finished">Whether the program is complete.</param>
public sealed record BeamCandidate(string Code, float Value, bool Finished);

/// <summary>What one depth of <see cref="ValueBeamSearch"/> valued and kept.</summary>
/// <param name="ProblemId">The problem.</param>
/// <param name="Depth">0 for the first step.</param>
/// <param name="Candidates">Every expansion of this depth, in sampling order (beam by beam).</param>
/// <param name="Kept">Indices into <paramref name="Candidates"/> of the unfinished prefixes kept, best value first.</param>
public sealed record BeamDepth(string ProblemId, int Depth, IReadOnlyList<BeamCandidate> Candidates, IReadOnlyList<int> Kept);
