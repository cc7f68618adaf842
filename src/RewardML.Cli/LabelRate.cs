using System.Diagnostics;

namespace RewardML.Cli;

/// <summary>
/// Live throughput of a labelling run: programs judged per second since it started, for the progress bar's
/// description, and (when output is not a terminal, where the bar is not redrawn) a progress line now and then.
/// </summary>
internal sealed class LabelRate(int total, TimeSpan lineEvery)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _done;
    private TimeSpan _lastLine;

    /// <summary>Programs judged per second so far.</summary>
    public double PerSecond => _clock.Elapsed.TotalSeconds > 0 ? _done / _clock.Elapsed.TotalSeconds : 0;

    /// <summary>Counts one judged program; returns a progress line when one is due (every <c>lineEvery</c>), else null.</summary>
    public string? Judged()
    {
        _done++;
        if (_clock.Elapsed - _lastLine < lineEvery) return null;
        _lastLine = _clock.Elapsed;
        return $"labelled {_done}/{total} programs, {PerSecond:F1} programs/s";
    }

    /// <summary>The progress bar's description.</summary>
    public string Description => $"labelling {total} programs, {PerSecond:F1} programs/s";
}
