namespace RewardML.Sweeps;

/// <summary>Uniform sampling of the unit cube (log-uniform on log-scale dimensions), seeded.</summary>
public sealed class RandomSearchTuner : ITuner
{
    private readonly SweepSearchSpace _space;
    private readonly Random _random;

    /// <summary>Creates the tuner.</summary>
    public RandomSearchTuner(SweepSearchSpace space, int seed = 0)
    {
        _space = space ?? throw new ArgumentNullException(nameof(space));
        _random = new Random(seed);
    }

    /// <inheritdoc/>
    public Parameter Propose(TrialSettings settings) => _space.FromUnit(Enumerable.Range(0, _space.Dimensions.Count).Select(_ => _random.NextDouble()).ToArray());

    /// <inheritdoc/>
    public void Update(TrialResult result) { }
}

/// <summary>
/// Every combination of each dimension's <see cref="SearchDimension.GridValues"/> (ranges cut into
/// <c>stepsPerRange</c> values), in an order shuffled by the seed; exhausted after the last combination.
/// </summary>
public sealed class GridSearchTuner : IFiniteTuner
{
    private readonly List<Parameter> _grid;
    private int _next;

    /// <summary>Creates the tuner.</summary>
    public GridSearchTuner(SweepSearchSpace space, int stepsPerRange = 3, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (stepsPerRange < 1) throw new ArgumentOutOfRangeException(nameof(stepsPerRange), "GridSearchTuner: stepsPerRange must be at least 1.");
        IEnumerable<Parameter> grid = [new Parameter()];
        foreach (var d in space.Dimensions)
        {
            var values = d.GridValues(stepsPerRange);
            grid = grid.SelectMany(p => values.Select(v => p.With(d.Name, v))).ToList();
        }
        _grid = grid.ToList();
        if (_grid.Count > 100_000) throw new ArgumentException($"GridSearchTuner: the grid has {_grid.Count} points; lower stepsPerRange or the dimensions.");
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_grid));
    }

    /// <summary>The number of grid points.</summary>
    public int Count => _grid.Count;

    /// <inheritdoc/>
    public bool IsExhausted => _next >= _grid.Count;

    /// <inheritdoc/>
    public Parameter Propose(TrialSettings settings) =>
        IsExhausted ? throw new InvalidOperationException("GridSearchTuner: every grid point has been proposed.") : _grid[_next++];

    /// <inheritdoc/>
    public void Update(TrialResult result) { }
}

/// <summary>
/// Tree-structured Parzen estimator (Bergstra et al. 2011), seeded. After <c>startupTrials</c> random proposals it
/// splits the results into the best γ (0.25) and the rest, models each set with a Gaussian kernel density per dimension of the unit
/// cube (independent dimensions, as hyperopt) (bandwidth from each set's spread, at least max(0.04, 1/min(100, n + 1)); hyperopt uses the latter), draws <c>candidates</c> points from the good density and proposes the
/// one maximising l(x)/g(x). Failed trials count as the worst.
/// </summary>
public sealed class TreeParzenTuner : ITuner
{
    private const double Gamma = 0.25, PriorWeight = 1.0, MinBandwidth = 0.04;
    private readonly SweepSearchSpace _space;
    private readonly Random _random;
    private readonly int _startupTrials, _candidates;
    private readonly Dictionary<int, double[]> _proposed = [];
    private readonly List<(double[] X, double Loss)> _history = [];

    /// <summary>Creates the tuner.</summary>
    public TreeParzenTuner(SweepSearchSpace space, int seed = 0, int startupTrials = 8, int candidates = 32)
    {
        _space = space ?? throw new ArgumentNullException(nameof(space));
        if (startupTrials < 1) throw new ArgumentOutOfRangeException(nameof(startupTrials), "TreeParzenTuner: startupTrials must be at least 1.");
        if (candidates < 1) throw new ArgumentOutOfRangeException(nameof(candidates), "TreeParzenTuner: candidates must be at least 1.");
        _random = new Random(seed);
        _startupTrials = startupTrials;
        _candidates = candidates;
    }

    /// <inheritdoc/>
    public Parameter Propose(TrialSettings settings)
    {
        int d = _space.Dimensions.Count;
        double[] x;
        if (_history.Count < _startupTrials) x = Enumerable.Range(0, d).Select(_ => _random.NextDouble()).ToArray();
        else
        {
            var sorted = _history.OrderBy(h => h.Loss).ToList();
            int nGood = Math.Max(1, (int)Math.Ceiling(Gamma * sorted.Count));
            var good = sorted.Take(nGood).Select(h => h.X).ToList();
            var bad = sorted.Skip(nGood).Select(h => h.X).ToList();
            double floor = Math.Max(MinBandwidth, 1.0 / Math.Min(100, sorted.Count + 1)); // hyperopt's floor range / min(100, n + 1), kept ≥ MinBandwidth so the search never freezes
            var goodWidth = Bandwidths(good, d, floor);
            var badWidth = Bandwidths(bad, d, floor);
            x = null!;
            double best = double.NegativeInfinity;
            for (int c = 0; c < _candidates; c++)
            {
                var candidate = new double[d];
                for (int j = 0; j < d; j++) // each coordinate from its own 1-D mixture: a random good point's kernel, or the uniform prior
                {
                    int component = _random.Next(good.Count + 1);
                    candidate[j] = component == good.Count ? _random.NextDouble() : Reflect(good[component][j] + goodWidth[j] * Normal());
                }
                double score = LogDensity(candidate, good, goodWidth) - LogDensity(candidate, bad, badWidth);
                if (score > best) (best, x) = (score, candidate);
            }
        }
        _proposed[settings.TrialId] = x;
        return _space.FromUnit(x);
    }

    /// <inheritdoc/>
    public void Update(TrialResult result)
    {
        if (_proposed.Remove(result.TrialSettings.TrialId, out var x))
            _history.Add((x, double.IsNaN(result.Loss) ? double.PositiveInfinity : result.Loss));
    }

    private static double[] Bandwidths(List<double[]> points, int d, double floor)
    {
        var widths = new double[d];
        for (int j = 0; j < d; j++)
        {
            if (points.Count < 2) { widths[j] = 0.25; continue; }
            double mean = points.Average(p => p[j]);
            double sd = Math.Sqrt(points.Sum(p => (p[j] - mean) * (p[j] - mean)) / (points.Count - 1));
            widths[j] = Math.Clamp(1.06 * sd * Math.Pow(points.Count, -1.0 / (d + 4)), floor, 0.5);
        }
        return widths;
    }

    // Independent per dimension, as hyperopt's TPE: Σⱼ log of the 1-D mixture of the points' Gaussians plus a uniform prior (weight PriorWeight).
    private static double LogDensity(double[] x, List<double[]> points, double[] widths)
    {
        double total = 0;
        for (int j = 0; j < x.Length; j++)
        {
            double sum = PriorWeight;
            foreach (var p in points)
            {
                double z = (x[j] - p[j]) / widths[j];
                sum += Math.Exp(-0.5 * z * z) / (widths[j] * Math.Sqrt(2 * Math.PI));
            }
            total += Math.Log(sum / (points.Count + PriorWeight));
        }
        return total;
    }

    private static double Reflect(double u)
    {
        u = Math.Abs(u) % 2;
        return u > 1 ? 2 - u : u;
    }

    private double Normal() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
}

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2020) over a resource option, by default <c>NumberOfEpochs</c>:
/// rung i trains with min · ηⁱ epochs (up to max). A trial at rung i is promoted to rung i+1 only when it is in the
/// top 1/η of the results at rung i; every other proposal is a new configuration at rung 0 from the inner tuner
/// (random by default). So configurations that fall behind stop at their rung and their budget goes to new ones.
/// A promoted trial retrains from scratch with the larger number of epochs.
/// </summary>
public sealed class SuccessiveHalvingTuner : ITuner
{
    private readonly ITuner _inner;
    private readonly string _resource;
    private readonly int[] _rungEpochs;
    private readonly int _eta;
    private readonly Dictionary<int, (int Config, int Rung)> _trials = [];
    private readonly List<Parameter> _configs = [];
    private readonly List<Dictionary<int, double>> _rungLosses = []; // per rung: config → loss
    private readonly List<HashSet<int>> _promoted = [];

    /// <summary>Creates the tuner.</summary>
    /// <param name="space">The space; its <paramref name="resourceName"/> dimension, if any, is overridden by the rungs.</param>
    /// <param name="minEpochs">Epochs at rung 0.</param>
    /// <param name="maxEpochs">Most epochs (the last rung).</param>
    /// <param name="reductionFactor">η ≥ 2: the top 1/η of a rung is promoted, with η times the epochs.</param>
    /// <param name="seed">Seed of the default inner random tuner.</param>
    /// <param name="inner">Where new configurations come from; default random search over <paramref name="space"/>.</param>
    /// <param name="resourceName">The option the rungs set. Default <c>NumberOfEpochs</c>.</param>
    public SuccessiveHalvingTuner(SweepSearchSpace space, int minEpochs = 1, int maxEpochs = 9, int reductionFactor = 3, int seed = 0,
        ITuner? inner = null, string resourceName = "NumberOfEpochs")
    {
        ArgumentNullException.ThrowIfNull(space);
        if (minEpochs < 1 || maxEpochs < minEpochs) throw new ArgumentOutOfRangeException(nameof(maxEpochs), $"SuccessiveHalvingTuner: need 1 ≤ minEpochs ≤ maxEpochs, got {minEpochs} and {maxEpochs}.");
        if (reductionFactor < 2) throw new ArgumentOutOfRangeException(nameof(reductionFactor), $"SuccessiveHalvingTuner: the reduction factor must be at least 2, got {reductionFactor}.");
        _inner = inner ?? new RandomSearchTuner(space, seed);
        _resource = resourceName;
        _eta = reductionFactor;
        var rungs = new List<int>();
        for (long e = minEpochs; e < maxEpochs; e *= reductionFactor) rungs.Add((int)e);
        rungs.Add(maxEpochs);
        _rungEpochs = [.. rungs];
        foreach (var _ in _rungEpochs) { _rungLosses.Add([]); _promoted.Add([]); }
    }

    /// <summary>The option the rungs set (exempt from the space's bounds).</summary>
    public string ResourceName => _resource;

    /// <summary>The epochs of each rung.</summary>
    public IReadOnlyList<int> RungEpochs => _rungEpochs;

    /// <summary>The rung a proposed trial runs at.</summary>
    public int RungOf(int trialId) => _trials[trialId].Rung;

    /// <inheritdoc/>
    public Parameter Propose(TrialSettings settings)
    {
        for (int rung = _rungEpochs.Length - 2; rung >= 0; rung--)
        {
            var done = _rungLosses[rung];
            int top = done.Count / _eta;
            foreach (var (config, _) in done.Where(kv => double.IsFinite(kv.Value)).OrderBy(kv => kv.Value).ThenBy(kv => kv.Key).Take(top))
                if (_promoted[rung].Add(config))
                {
                    _trials[settings.TrialId] = (config, rung + 1);
                    return _configs[config].With(_resource, _rungEpochs[rung + 1]);
                }
        }
        var fresh = _inner.Propose(settings);
        _configs.Add(fresh);
        _trials[settings.TrialId] = (_configs.Count - 1, 0);
        return fresh.With(_resource, _rungEpochs[0]);
    }

    /// <inheritdoc/>
    public void Update(TrialResult result)
    {
        if (!_trials.TryGetValue(result.TrialSettings.TrialId, out var t)) return;
        _rungLosses[t.Rung][t.Config] = double.IsNaN(result.Loss) ? double.PositiveInfinity : result.Loss;
        if (t.Rung == 0) _inner.Update(result);
    }
}
