using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace RewardML.Tokenization;

/// <summary>
/// Counts what truncation did over a pass through the data: rows whose prompt was shortened, rows that lost steps, and
/// how many steps were dropped. Thread-safe; <see cref="Summary"/> is the one warning a pass reports.
/// </summary>
public sealed class TokenizationStats
{
    private long _rows, _promptTruncatedRows, _rowsWithDroppedSteps, _steps, _droppedSteps;

    /// <summary>Rows encoded.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Rows whose prompt was shortened to fit.</summary>
    public long PromptTruncatedRows => Interlocked.Read(ref _promptTruncatedRows);

    /// <summary>Rows with at least one step outside the window.</summary>
    public long RowsWithDroppedSteps => Interlocked.Read(ref _rowsWithDroppedSteps);

    /// <summary>Steps seen.</summary>
    public long Steps => Interlocked.Read(ref _steps);

    /// <summary>Steps outside the window (<c>StepTokenEnds = -1</c>).</summary>
    public long DroppedSteps => Interlocked.Read(ref _droppedSteps);

    /// <summary>Whether truncation touched any row.</summary>
    public bool AnyTruncated => PromptTruncatedRows > 0 || RowsWithDroppedSteps > 0;

    /// <summary>Counts one encoded row.</summary>
    public void Add(RewardSequence sequence)
    {
        Interlocked.Increment(ref _rows);
        Interlocked.Add(ref _steps, sequence.StepTokenEnds.Length);
        if (sequence.PromptTruncated) Interlocked.Increment(ref _promptTruncatedRows);
        if (sequence.DroppedSteps > 0)
        {
            Interlocked.Increment(ref _rowsWithDroppedSteps);
            Interlocked.Add(ref _droppedSteps, sequence.DroppedSteps);
        }
    }

    /// <summary>One line saying how many rows and steps truncation affected, for <paramref name="maxLength"/>.</summary>
    public string Summary(int maxLength) =>
        $"TokenizeForReward (MaxLength {maxLength}): {PromptTruncatedRows} of {Rows} rows had their prompt shortened; " +
        $"{RowsWithDroppedSteps} rows lost {DroppedSteps} of {Steps} steps past the window " +
        "(StepTokenEnds = -1: excluded from training, scored as missing).";

    /// <summary>
    /// Writes <see cref="Summary"/> as one warning to <paramref name="mlContext"/>'s log (its <c>Log</c> event, source
    /// <c>TokenizeForReward</c>) when truncation touched any row; returns whether it did.
    /// </summary>
    public bool WarnIfTruncated(MLContext mlContext, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if (!AnyTruncated) return false;
        using var channel = ((IChannelProvider)mlContext).Start("TokenizeForReward");
        channel.Warning(MessageSensitivity.None, Summary(maxLength));
        return true;
    }
}
