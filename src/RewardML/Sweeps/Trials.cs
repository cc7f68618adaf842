using Microsoft.ML;

namespace RewardML.Sweeps;

/// <summary>What a tuner is asked to propose for, and what a trial runner runs (AutoML's <c>TrialSettings</c>).</summary>
public sealed class TrialSettings
{
    /// <summary>The trial's number, from 1, in proposal order.</summary>
    public int TrialId { get; init; }

    /// <summary>The tuner's proposal; set by the experiment after <see cref="ITuner.Propose"/>.</summary>
    public Parameter Parameter { get; set; } = new();
}

/// <summary>A finished trial (AutoML's <c>TrialResult</c>): the metric, the loss tuners minimise, the time, or the error.</summary>
public sealed class TrialResult
{
    /// <summary>The trial.</summary>
    public required TrialSettings TrialSettings { get; init; }

    /// <summary>The metric as reported (e.g. AUC); NaN when the trial failed.</summary>
    public double Metric { get; init; } = double.NaN;

    /// <summary>What tuners minimise: the metric, negated when larger is better; +∞ when the trial failed.</summary>
    public double Loss { get; init; } = double.PositiveInfinity;

    /// <summary>Wall-clock duration of the trial.</summary>
    public double DurationInMilliseconds { get; init; }

    /// <summary>Lower end of the metric's 95% bootstrap interval (problems resampled); NaN when not measured.</summary>
    public double MetricLower { get; init; } = double.NaN;

    /// <summary>Upper end of the metric's 95% bootstrap interval; NaN when not measured.</summary>
    public double MetricUpper { get; init; } = double.NaN;

    /// <summary>Validation rows the metric was measured on; 0 when not known.</summary>
    public int ValidationRows { get; init; }

    /// <summary>The error of a failed trial (invalid combination, exception); null when it succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>True when the trial ran and produced a metric.</summary>
    public bool IsSuccess => Error is null && double.IsFinite(Loss);

    /// <summary>The trained model, when the runner keeps it (the experiment saves the best and disposes the rest); not logged.</summary>
    public ITransformer? Model { get; init; }

    /// <summary>The input schema to save <see cref="Model"/> with.</summary>
    public DataViewSchema? ModelInputSchema { get; init; }
}

/// <summary>Proposes the next trial's parameter and learns from results (AutoML's <c>ITuner</c>).</summary>
public interface ITuner
{
    /// <summary>The parameter for <paramref name="settings"/>; deterministic given the seed and the results seen.</summary>
    Parameter Propose(TrialSettings settings);

    /// <summary>Tells the tuner how a proposed trial went (failures have an infinite loss).</summary>
    void Update(TrialResult result);
}

/// <summary>A tuner with finitely many proposals (grid search): the sweep ends when it is exhausted.</summary>
public interface IFiniteTuner : ITuner
{
    /// <summary>True when every proposal has been made.</summary>
    bool IsExhausted { get; }
}

/// <summary>Runs one trial (AutoML's <c>ITrialRunner</c>, synchronous): trains and measures, or throws.</summary>
public interface ITrialRunner
{
    /// <summary>
    /// Runs the trial; throw to fail it (the sweep records the error and goes on). <paramref name="cancellationToken"/> is
    /// cancelled when the sweep's time budget runs out or the caller cancels: throw <see cref="OperationCanceledException"/>.
    /// </summary>
    TrialResult Run(TrialSettings settings, CancellationToken cancellationToken);
}
