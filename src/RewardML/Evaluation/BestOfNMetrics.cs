namespace RewardML.Evaluation;

/// <summary>
/// Best-k-of-n over a set of problems: how often keeping the k highest-scoring of n sampled candidates keeps a passing
/// program, against keeping a random k and against an oracle, averaged over problems with bootstrap confidence
/// intervals. Compute it with <see cref="BestOfNEvaluator"/>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// Shaped like ML.NET's metrics classes: get-only numbers, each with its formula. Per problem j with a pool of mⱼ ≥ n
/// candidates, Modelⱼ, Randomⱼ and Oracleⱼ are the exact expectations of <see cref="BestOfN"/>. Problems with fewer
/// than n candidates are skipped (listed in <see cref="Problems"/> with `Skipped` true) and left out of every number
/// below; P is the number of problems evaluated. Intervals are percentile bootstrap intervals: <see cref="BootstrapResamples"/>
/// times, draw P of the evaluated problems with replacement (`new Random(Seed)`, so a seed gives the same intervals) and
/// recompute; the bounds are the (1 ∓ <see cref="ConfidenceLevel"/>)/2 percentiles (linear interpolation). The same
/// seed and the same problems draw the same resamples, so two scorers of the same rows are compared on the same draws.
/// ]]></format>
/// </remarks>
public sealed class BestOfNMetrics
{
    internal BestOfNMetrics(int n, int k, int bootstrapResamples, int seed, double confidenceLevel,
        IReadOnlyList<BestOfNProblemResult> problems, IntervalEstimate model, IntervalEstimate random, IntervalEstimate oracle,
        IntervalEstimate relativeGain)
    {
        N = n;
        K = k;
        BootstrapResamples = bootstrapResamples;
        Seed = seed;
        ConfidenceLevel = confidenceLevel;
        Problems = problems;
        Model = model;
        Random = random;
        Oracle = oracle;
        RelativeGainOverRandom = relativeGain;
    }

    /// <summary>Gets n, the candidates drawn per problem.</summary>
    public int N { get; }

    /// <summary>Gets k, the candidates kept (k ≤ n); the problem counts as solved when one of them passes.</summary>
    public int K { get; }

    /// <summary>Gets the number of bootstrap resamples behind the intervals (0: no intervals).</summary>
    public int BootstrapResamples { get; }

    /// <summary>Gets the seed of the bootstrap's random draws.</summary>
    public int Seed { get; }

    /// <summary>Gets the confidence level of the intervals, e.g. 0.95.</summary>
    public double ConfidenceLevel { get; }

    /// <summary>Gets every problem in order of first appearance, skipped ones included.</summary>
    public IReadOnlyList<BestOfNProblemResult> Problems { get; }

    /// <summary>Gets the number of problems seen, skipped ones included.</summary>
    public int ProblemCount => Problems.Count;

    /// <summary>Gets P, the number of problems evaluated: those with at least n candidates.</summary>
    public int EvaluatedProblemCount => Problems.Count(p => !p.Skipped);

    /// <summary>Gets the number of problems skipped because their pool has fewer than n candidates.</summary>
    public int SkippedProblemCount => Problems.Count(p => p.Skipped);

    /// <summary>Gets the number of evaluated problems whose candidates all pass (every selector scores 1 there).</summary>
    public int AllPassProblemCount => Problems.Count(p => !p.Skipped && p.PassCount == p.CandidateCount);

    /// <summary>Gets the number of evaluated problems with no passing candidate (every selector scores 0 there).</summary>
    public int NonePassProblemCount => Problems.Count(p => !p.Skipped && p.PassCount == 0);

    /// <summary>
    /// Gets the model's best-k-of-n: the expected share of problems solved when keeping the k highest-scoring of n
    /// drawn candidates (ties broken at random). From 0 to 1; higher is better; compare with <see cref="Random"/> and
    /// <see cref="Oracle"/>.
    /// </summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// Model = (1/P) · Σⱼ Modelⱼ, with Modelⱼ = 1 − P(the k best-scored of n drawn all fail), exact (see `BestOfN`).
    /// ]]></format>
    /// </remarks>
    public IntervalEstimate Model { get; }

    /// <summary>
    /// Gets the random-choice baseline: the expected share of problems solved when keeping a random k of the n drawn,
    /// i.e. the unbiased pass@k estimator of Chen et al. (2021). From 0 to 1; the level a useless scorer reaches.
    /// </summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// Random = (1/P) · Σⱼ [1 − C(mⱼ − cⱼ, k) / C(mⱼ, k)], cⱼ the passing candidates of problem j.
    /// ]]></format>
    /// </remarks>
    public IntervalEstimate Random { get; }

    /// <summary>
    /// Gets the oracle: the expected share of problems where at least one of the n drawn passes, what a perfect
    /// selector reaches. From 0 to 1; the ceiling for <see cref="Model"/>.
    /// </summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// Oracle = (1/P) · Σⱼ [1 − C(mⱼ − cⱼ, n) / C(mⱼ, n)].
    /// ]]></format>
    /// </remarks>
    public IntervalEstimate Oracle { get; }

    /// <summary>
    /// Gets the model's relative gain over random choice: 0.25 means 25% more problems solved than picking at random.
    /// Higher is better; 0 = no better than random; NaN when <see cref="Random"/> is 0.
    /// </summary>
    /// <remarks>
    /// <format type="text/markdown"><![CDATA[
    /// Gain = Model / Random − 1 (a ratio of the averages, recomputed on each bootstrap resample).
    /// ]]></format>
    /// </remarks>
    public IntervalEstimate RelativeGainOverRandom { get; }
}
