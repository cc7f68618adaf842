namespace RewardML.Evaluation;

/// <summary>Collects rows one at a time and computes <see cref="RewardMetrics"/> (the formulas are documented there).</summary>
internal sealed class RewardMetricsAccumulator
{
    private const double LogLossEpsilon = 1e-15;
    private const int Bins = RewardMetrics.CalibrationBinCount;
    private const int Buckets = RewardMetrics.PositionBucketCount;

    private readonly float _threshold;
    private readonly List<(float Probability, bool Label)> _rows = [];
    private long _truePositives, _falsePositives, _trueNegatives, _falseNegatives, _skipped;
    private double _brierSum, _logLossSum;
    private readonly long[] _binCount = new long[Bins];
    private readonly long[] _binPositives = new long[Bins];
    private readonly double[] _binProbabilitySum = new double[Bins];
    private readonly long[] _bucketCount = new long[Buckets];
    private readonly long[] _bucketCorrect = new long[Buckets];
    private readonly long[] _bucketPositives = new long[Buckets];
    private readonly double[] _bucketScoreSum = new double[Buckets];
    private readonly List<(float Score, bool Label)>[] _bucketSteps = Enumerable.Range(0, Buckets).Select(_ => new List<(float, bool)>()).ToArray();
    private long _stepCount;

    public RewardMetricsAccumulator(float threshold)
    {
        if (!(threshold >= 0 && threshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "RewardEvaluator: the threshold must be in [0, 1].");
        _threshold = threshold;
    }

    /// <summary>Adds one row. <paramref name="row"/> and <paramref name="columns"/> only name it in errors.</summary>
    public void Add(bool label, float probability, ReadOnlySpan<float> stepScores, ReadOnlySpan<int> stepTokenEnds,
        int? codeTokenStart, int? tokenCount, long row, string columns)
    {
        if (float.IsNaN(probability))
        {
            _skipped++;
            return;
        }
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability,
                $"RewardEvaluator: row {row}: probability {probability} is outside [0, 1].");
        if (stepScores.Length != stepTokenEnds.Length)
            throw new ArgumentException(
                $"RewardEvaluator: row {row}: {stepScores.Length} step scores but {stepTokenEnds.Length} step token ends ({columns}); they must have the same length.");

        double p = probability;
        double y = label ? 1 : 0;
        bool predicted = probability >= _threshold;
        if (label)
        {
            if (predicted) _truePositives++; else _falseNegatives++;
        }
        else
        {
            if (predicted) _falsePositives++; else _trueNegatives++;
        }
        _rows.Add((probability, label));
        _brierSum += (p - y) * (p - y);
        // The probability given to the truth, clipped: the same as clipping p to [ε, 1 − ε], without the rounding of 1 − (1 − ε).
        _logLossSum -= Math.Log(Math.Clamp(label ? p : 1 - p, LogLossEpsilon, 1 - LogLossEpsilon));

        int bin = Math.Min((int)Math.Floor(p * Bins), Bins - 1);
        _binCount[bin]++;
        _binProbabilitySum[bin] += p;
        if (label) _binPositives[bin]++;

        AddSteps(label, stepScores, stepTokenEnds, codeTokenStart, tokenCount);
    }

    private void AddSteps(bool label, ReadOnlySpan<float> scores, ReadOnlySpan<int> ends, int? codeTokenStart, int? tokenCount)
    {
        int first = -1, largest = -1;
        foreach (int end in ends)
        {
            if (end < 0) continue;
            if (first < 0) first = end;
            largest = Math.Max(largest, end);
        }
        if (largest < 0) return;

        long start = codeTokenStart ?? first;
        long programEnd = ends[^1] >= 0 ? ends[^1] : tokenCount is { } count ? count - 1L : largest;
        long length = programEnd - start + 1;
        if (length <= 0) return;

        for (int s = 0; s < ends.Length; s++)
        {
            float score = scores[s];
            if (ends[s] < 0 || float.IsNaN(score)) continue;
            long offset = ends[s] - start + 1;
            // Bucket i holds offset/length in (i/10, (i+1)/10]: i = ceil(10·offset/length) − 1, in exact integers.
            int bucket = offset <= 0 ? 0 : (int)Math.Min(Buckets - 1, (Buckets * offset + length - 1) / length - 1);
            _bucketCount[bucket]++;
            _bucketScoreSum[bucket] += score;
            if ((score >= _threshold) == label) _bucketCorrect[bucket]++;
            if (label) _bucketPositives[bucket]++;
            _bucketSteps[bucket].Add((score, label));
            _stepCount++;
        }
    }

    public RewardMetrics Finish()
    {
        long n = _rows.Count;
        long positives = _truePositives + _falseNegatives;
        long negatives = n - positives;

        double ece = 0;
        for (int b = 0; b < Bins; b++)
            if (_binCount[b] > 0)
                ece += (double)_binCount[b] / n * Math.Abs(_binProbabilitySum[b] / _binCount[b] - (double)_binPositives[b] / _binCount[b]);

        var buckets = new PositionBucket[Buckets];
        for (int i = 0; i < Buckets; i++)
        {
            long count = _bucketCount[i];
            long pos = _bucketPositives[i];
            buckets[i] = new PositionBucket((double)i / Buckets, (double)(i + 1) / Buckets, count,
                Ratio(_bucketCorrect[i], count), count == 0 ? double.NaN : _bucketScoreSum[i] / count,
                Ratio(Math.Max(pos, count - pos), count), AreaUnderRocCurve(_bucketSteps[i], pos, count - pos));
        }

        return new RewardMetrics(n, positives, _skipped, _threshold,
            areaUnderRocCurve: AreaUnderRocCurve(_rows, positives, negatives),
            accuracy: Ratio(_truePositives + _trueNegatives, n),
            positivePrecision: Ratio(_truePositives, _truePositives + _falsePositives),
            negativePrecision: Ratio(_trueNegatives, _trueNegatives + _falseNegatives),
            positiveRecall: Ratio(_truePositives, positives),
            negativeRecall: Ratio(_trueNegatives, negatives),
            brierScore: n == 0 ? double.NaN : _brierSum / n,
            expectedCalibrationError: n == 0 ? double.NaN : ece,
            logLoss: n == 0 ? double.NaN : _logLossSum / n,
            stepCount: _stepCount,
            valueByPosition: buckets);
    }

    /// <summary>Mann–Whitney: for each group of equal probabilities (ascending), its positives beat every negative below
    /// and tie with its own negatives (one half each).</summary>
    internal static double AreaUnderRocCurve(List<(float Probability, bool Label)> rows, long positives, long negatives)
    {
        if (positives == 0 || negatives == 0) return double.NaN;
        rows.Sort((a, b) => a.Probability.CompareTo(b.Probability));
        double wins = 0;
        long negativesBelow = 0;
        for (int i = 0; i < rows.Count;)
        {
            int j = i;
            long groupPositives = 0, groupNegatives = 0;
            for (; j < rows.Count && rows[j].Probability == rows[i].Probability; j++)
                if (rows[j].Label) groupPositives++; else groupNegatives++;
            wins += groupPositives * (negativesBelow + 0.5 * groupNegatives);
            negativesBelow += groupNegatives;
            i = j;
        }
        return wins / ((double)positives * negatives);
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? double.NaN : (double)numerator / denominator;
}
