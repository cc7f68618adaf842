namespace RewardML.Scoring;

/// <summary>How a program's step values become its <c>Score</c>.</summary>
/// <remarks>Steps outside the token window (NaN step scores) are left out; a row with no step in the window scores NaN.</remarks>
public enum ScoreAggregation
{
    /// <summary>The last step's value: the outcome reward, P(pass | whole program). The default.</summary>
    Last,

    /// <summary>The lowest step value (a chain is as good as its weakest step).</summary>
    Min,

    /// <summary>The mean of the step values.</summary>
    Mean,

    /// <summary>The product of the step values.</summary>
    Product,
}

/// <summary>Applies a <see cref="ScoreAggregation"/>.</summary>
public static class ScoreAggregator
{
    /// <summary>The aggregate of the values that are not NaN; NaN when none is.</summary>
    public static float Aggregate(ScoreAggregation aggregation, ReadOnlySpan<float> stepValues)
    {
        double result = aggregation switch { ScoreAggregation.Min => double.PositiveInfinity, ScoreAggregation.Product => 1, _ => 0 };
        int count = 0;
        float last = float.NaN;
        foreach (float v in stepValues)
        {
            if (float.IsNaN(v)) continue;
            count++;
            last = v;
            result = aggregation switch
            {
                ScoreAggregation.Min => Math.Min(result, v),
                ScoreAggregation.Product => result * v,
                _ => result + v,
            };
        }
        if (count == 0) return float.NaN;
        return aggregation switch
        {
            ScoreAggregation.Last => last,
            ScoreAggregation.Mean => (float)(result / count),
            _ => (float)result,
        };
    }
}
