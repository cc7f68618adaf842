using System.Collections.Concurrent;
using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;

namespace RewardML.Rollouts;

/// <summary>
/// Generates the paper's branching rollouts: per problem one main rollout, then <see cref="Options.RolloutsPerBranch"/>
/// rollouts from each of its <see cref="Options.BranchPoints"/> lowest-probability tokens, each continuing the main
/// rollout's text before that token. Rollouts are judged when a judge is given (or labelled from a results file), then
/// every branch gets its Monte-Carlo prefix value and every rollout its balancing weight.
/// </summary>
/// <remarks>
/// Resumable: rollouts already in the output file are kept and not regenerated (the main rollout's line records its
/// branch points). Deterministic: each rollout's seed depends only on (<see cref="Options.Seed"/>, problem id, rollout id)
/// and the file is finally written in canonical order, so a deterministic backend gives an identical file.
/// </remarks>
public sealed class BranchingRollouts
{
    /// <summary>Sampling and branching settings.</summary>
    public sealed class Options
    {
        /// <summary>K: branch points per main rollout (paper: 6).</summary>
        public int BranchPoints { get; init; } = 6;

        /// <summary>M: rollouts sampled from each branch point (paper: 6).</summary>
        public int RolloutsPerBranch { get; init; } = 6;

        /// <summary>Sampling temperature for every rollout.</summary>
        public double Temperature { get; init; } = 1.0;

        /// <summary>Nucleus sampling mass for every rollout.</summary>
        public double TopP { get; init; } = 0.95;

        /// <summary>Token budget of the main rollout; a branch gets this less the tokens of its prefix.</summary>
        public int MaxTokens { get; init; } = 1024;

        /// <summary>Branch points lie at least this many tokens apart (1 = any distinct tokens).</summary>
        public int MinBranchDistance { get; init; } = 4;

        /// <summary>Run seed; every rollout's seed is derived from it, the problem id and the rollout id.</summary>
        public int Seed { get; init; }

        /// <summary>Strings that end a completion.</summary>
        public IReadOnlyList<string> Stop { get; init; } = ["\nQUESTION:", "<|endoftext|>", "<|end|>"];

        /// <summary>Completions (and judgements) in flight at once.</summary>
        public int Parallelism { get; init; } = 4;

        /// <summary>Builds the prompt of a problem; null = the APPS generation format (QUESTION, starter code, format hint, ANSWER).</summary>
        public Func<AppsProblem, string>? Prompt { get; init; }

        internal void Validate()
        {
            ArgumentOutOfRangeException.ThrowIfNegative(BranchPoints, "branch points (K)");
            ArgumentOutOfRangeException.ThrowIfNegative(RolloutsPerBranch, "rollouts per branch (M)");
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTokens, "max tokens");
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Parallelism, "parallelism");
            ArgumentOutOfRangeException.ThrowIfNegative(Temperature, "temperature");
            if (TopP is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1]");
        }
    }

    /// <summary>Requests in a row that could not reach the backend before the run stops with one message.</summary>
    public const int UnreachableLimit = 3;

    private readonly ICompletionGenerator _generator;
    private readonly Options _options;
    private readonly IProgramJudge? _judge;
    private readonly Func<AppsProblem, string> _prompt;

    /// <summary>Creates the runner; without a <paramref name="judge"/> rollouts stay unlabelled (label them with <c>rewardml label</c>).</summary>
    public BranchingRollouts(ICompletionGenerator generator, Options options, IProgramJudge? judge = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _generator = generator;
        _options = options;
        _judge = judge;
        _prompt = options.Prompt ?? AppsPrompt.Format;
    }

    /// <summary>
    /// Generates the missing rollouts of <paramref name="problems"/> into <paramref name="outputPath"/> (keeping those
    /// already there), labels them, computes prefix values and weights, and rewrites the file in canonical order.
    /// </summary>
    /// <param name="problems">The problems, in the order the file lists them (a repeated id is used once).</param>
    /// <param name="outputPath">rollouts.jsonl; created, or resumed when it exists.</param>
    /// <param name="results">Labels from the labeller's results.jsonl (see <see cref="LabelResultsFile"/>); they override labels already present.</param>
    /// <param name="progress">Receives the number of problems finished.</param>
    /// <param name="cancellationToken">Stops the run; what was appended so far stays for a resume.</param>
    /// <exception cref="InvalidDataException">The existing file was sampled with other settings than <see cref="Options"/>.</exception>
    public async Task<RolloutRunResult> RunAsync(
        IReadOnlyList<AppsProblem> problems,
        string outputPath,
        IReadOnlyDictionary<(string ProblemId, string CandidateId), LabelResultsFile.Outcome>? results = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        problems = problems.DistinctBy(p => p.ProblemId).ToList(); // a repeated id would be sampled twice at once
        var (existing, badLines) = RolloutFile.Read(outputPath);
        var rollouts = new ConcurrentDictionary<(string, int), RolloutRecord>();
        foreach (var rollout in existing) rollouts[(rollout.ProblemId, rollout.RolloutId)] = rollout;
        int reused = rollouts.Count;

        var failures = new ConcurrentQueue<string>();
        using var run = new Run(this, outputPath, rollouts, failures);
        int finished = 0;
        await Parallel.ForEachAsync(problems, Parallelism(cancellationToken), async (problem, ct) =>
        {
            await run.ProblemAsync(problem, ct).ConfigureAwait(false);
            progress?.Report(Interlocked.Increment(ref finished));
        }).ConfigureAwait(false);
        run.CloseAppendedFile();

        var byProblem = problems.ToDictionary(p => p.ProblemId);
        if (results is not null) ApplyResults(rollouts.Values, results);
        if (_judge is not null)
        {
            var unjudged = rollouts.Values.Where(r => r.Label is null && byProblem.ContainsKey(r.ProblemId) && !run.WasJudged(r)).ToList();
            await Parallel.ForEachAsync(unjudged, Parallelism(cancellationToken), async (rollout, ct) =>
                await run.JudgeAsync(byProblem[rollout.ProblemId], rollout, ct).ConfigureAwait(false)).ConfigureAwait(false);
        }

        var ordered = CanonicalOrder(rollouts.Values, problems);
        RolloutStatistics.AssignPrefixValues(ordered);
        RolloutStatistics.AssignBalancingWeights(ordered);
        RolloutFile.WriteAll(outputPath, ordered);

        return new RolloutRunResult(
            RolloutStatistics.Report(ordered),
            Generated: rollouts.Count - reused,
            Reused: reused,
            Failures: failures.Order(StringComparer.Ordinal).ToList(),
            BadLines: badLines);
    }

    private ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken };

    private static void ApplyResults(IEnumerable<RolloutRecord> rollouts, IReadOnlyDictionary<(string, string), LabelResultsFile.Outcome> results)
    {
        foreach (var rollout in rollouts)
        {
            if (!results.TryGetValue((rollout.ProblemId, rollout.CandidateId.ToString(System.Globalization.CultureInfo.InvariantCulture)), out var outcome)) continue;
            rollout.Label = outcome.StrictPass;
            rollout.PassFraction = outcome.PassFraction;
            rollout.Tests = outcome.Tests;
            rollout.Comparison = outcome.Comparison;
        }
    }

    /// <summary>Problems in input order (others after, by id), then rollout id.</summary>
    private static List<RolloutRecord> CanonicalOrder(IEnumerable<RolloutRecord> rollouts, IReadOnlyList<AppsProblem> problems)
    {
        var position = new Dictionary<string, int>();
        foreach (var problem in problems) position.TryAdd(problem.ProblemId, position.Count);
        return rollouts
            .OrderBy(r => position.TryGetValue(r.ProblemId, out int p) ? p : int.MaxValue)
            .ThenBy(r => r.ProblemId, StringComparer.Ordinal)
            .ThenBy(r => r.RolloutId)
            .ToList();
    }

    /// <summary>The state of one <see cref="RunAsync"/> call: the output being appended to and what was made so far.</summary>
    private sealed class Run(BranchingRollouts owner, string outputPath, ConcurrentDictionary<(string, int), RolloutRecord> rollouts, ConcurrentQueue<string> failures) : IDisposable
    {
        private readonly Options _options = owner._options;
        private readonly SemaphoreSlim _inFlight = new(owner._options.Parallelism);
        private readonly object _appendLock = new();
        private readonly ConcurrentDictionary<RolloutRecord, bool> _judged = new(ReferenceEqualityComparer.Instance);
        private int _unreachableInARow;
        private StreamWriter? _writer;

        /// <summary>True when this run already tried to judge <paramref name="rollout"/> (a failed try is not repeated).</summary>
        public bool WasJudged(RolloutRecord rollout) => _judged.ContainsKey(rollout);

        public async Task ProblemAsync(AppsProblem problem, CancellationToken ct)
        {
            string prompt = owner._prompt(problem);
            var main = rollouts.GetValueOrDefault((problem.ProblemId, 0));
            if (main is null)
            {
                main = await SampleAsync(problem, prompt, parent: null, branch: null, rolloutId: 0, ct).ConfigureAwait(false);
                if (main is null) return;
            }
            CheckSettings(main);

            var branchPoints = main.BranchPoints ?? [];
            if (branchPoints.Count > _options.BranchPoints)
                throw new InvalidDataException($"{outputPath}: problem {problem.ProblemId} has {branchPoints.Count} branch points, more than this run's K = {_options.BranchPoints}; use the same settings to resume, or another output file");

            var missing = branchPoints
                .SelectMany((point, b) => Enumerable.Range(0, _options.RolloutsPerBranch).Select(m => (point, id: 1 + b * _options.RolloutsPerBranch + m)))
                .Where(x => !rollouts.ContainsKey((problem.ProblemId, x.id)));
            await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = ct }, async (x, ct2) =>
                await SampleAsync(problem, prompt, main, x.point, x.id, ct2).ConfigureAwait(false)).ConfigureAwait(false);
        }

        /// <summary>Samples one rollout (a branch when <paramref name="branch"/> is given), judges it if a judge exists, and appends it.</summary>
        private async Task<RolloutRecord?> SampleAsync(AppsProblem problem, string prompt, RolloutRecord? parent, BranchPoint? branch, int rolloutId, CancellationToken ct)
        {
            string prefix = branch is null ? "" : parent!.Completion[..branch.CharOffset];
            int maxTokens = Math.Max(1, _options.MaxTokens - (branch?.TokenIndex ?? 0));
            var request = new CompletionRequest(prompt + prefix, maxTokens, _options.Temperature, _options.TopP,
                RolloutSeeds.Derive(_options.Seed, problem.ProblemId, rolloutId), _options.Stop);

            Completion completion;
            await _inFlight.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                completion = await owner._generator.CompleteAsync(request, ct).ConfigureAwait(false);
                Interlocked.Exchange(ref _unreachableInARow, 0);
            }
            catch (CompletionException e) when (e.Unreachable && Interlocked.Increment(ref _unreachableInARow) >= UnreachableLimit)
            {
                throw new CompletionException(
                    $"the backend cannot be reached ({UnreachableLimit} requests in a row failed to connect); stopped instead of retrying every problem. Is the server running? Last: {e.Message}", e)
                { Unreachable = true };
            }
            catch (CompletionException e)
            {
                failures.Enqueue($"problem {problem.ProblemId} rollout {rolloutId}: {e.Message}");
                return null;
            }
            finally
            {
                _inFlight.Release();
            }

            if (branch is null && completion.Text.Length == 0 && completion.FinishReason != "stop")
            {
                // A prompt longer than the model's context comes back as an empty completion (finish_reason "length"):
                // not a rollout, and every branch would be empty too.
                failures.Enqueue($"problem {problem.ProblemId} rollout {rolloutId}: empty completion (finish_reason {completion.FinishReason ?? "unknown"}); " +
                                 $"the prompt ({prompt.Length} characters) is probably longer than the model's context: truncate the problem statement or use a longer-context model");
                return null;
            }

            string text = prefix + completion.Text;
            var program = ProgramExtractor.Extract(text);
            var rollout = new RolloutRecord
            {
                ProblemId = problem.ProblemId,
                CandidateId = rolloutId,
                Code = program.Code,
                RolloutId = rolloutId,
                ParentId = parent?.RolloutId,
                BranchTokenIndex = branch?.TokenIndex,
                BranchCharOffset = branch?.CharOffset,
                Temperature = request.Temperature,
                TopP = request.TopP,
                Seed = request.Seed,
                MaxTokens = maxTokens,
                Completion = text,
                FinishReason = completion.FinishReason,
                BranchPoints = branch is null
                    ? BranchPointSelector.Select(completion, _options.BranchPoints, _options.MinBranchDistance, program.End)
                    : null,
            };
            if (owner._judge is not null) await JudgeAsync(problem, rollout, ct).ConfigureAwait(false);

            lock (_appendLock)
            {
                _writer ??= RolloutFile.OpenForAppend(outputPath);
                _writer.WriteLine(RolloutFile.Serialize(rollout));
                rollouts[(rollout.ProblemId, rollout.RolloutId)] = rollout;
            }
            return rollout;
        }

        public async Task JudgeAsync(AppsProblem problem, RolloutRecord rollout, CancellationToken ct)
        {
            _judged[rollout] = true;
            try
            {
                var result = await owner._judge!.JudgeAsync(problem, rollout.Code, ct).ConfigureAwait(false);
                rollout.Label = result.StrictPass;
                rollout.PassFraction = result.PassFraction;
                rollout.Tests = result.Tests;
                rollout.Comparison = result.Comparison;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Enqueue($"problem {problem.ProblemId} rollout {rollout.RolloutId}: judging failed: {e.Message}");
            }
        }

        private void CheckSettings(RolloutRecord main)
        {
            int expectedSeed = RolloutSeeds.Derive(_options.Seed, main.ProblemId, 0);
            if (main.Seed != expectedSeed || main.Temperature != _options.Temperature || main.TopP != _options.TopP)
                throw new InvalidDataException(
                    $"{outputPath}: problem {main.ProblemId} was sampled with other settings (seed {main.Seed}, temperature {main.Temperature}, top-p {main.TopP}) than this run's; use the same --seed/--temperature/--top-p to resume, or another output file");
        }

        /// <summary>Closes the file that new rollouts were appended to, before it is rewritten.</summary>
        public void CloseAppendedFile()
        {
            lock (_appendLock)
            {
                _writer?.Dispose();
                _writer = null;
            }
        }

        public void Dispose()
        {
            CloseAppendedFile();
            _inFlight.Dispose();
        }
    }
}

/// <summary>What a <see cref="BranchingRollouts.RunAsync"/> call did.</summary>
/// <param name="Report">Totals of the whole file, with the cold-start problems.</param>
/// <param name="Generated">Rollouts sampled by this call.</param>
/// <param name="Reused">Rollouts found in the file and kept.</param>
/// <param name="Failures">One line per rollout that could not be sampled or judged (rerun to retry).</param>
/// <param name="BadLines">Unreadable lines of the existing file (dropped; their rollouts are sampled again).</param>
public sealed record RolloutRunResult(
    RolloutReport Report,
    int Generated,
    int Reused,
    IReadOnlyList<string> Failures,
    IReadOnlyList<string> BadLines);
