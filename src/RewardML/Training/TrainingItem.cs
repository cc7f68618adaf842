namespace RewardML.Training;

/// <summary>A row ready for the loss: its tokens up to the last scored position, the positions with targets, and its weight.</summary>
/// <param name="Example">The row.</param>
/// <param name="Positions">Positions that carry a loss (at least one).</param>
/// <param name="Targets">The target at each position, in [0, 1].</param>
/// <param name="Weight">Row weight × class-balancing factor.</param>
internal sealed record TrainingItem(RewardExample Example, int[] Positions, float[] Targets, float Weight)
{
    /// <summary>Tokens fed to the model: up to and including the last position.</summary>
    public int Length { get; } = Positions.Max() + 1;

    /// <summary>Builds the items of <paramref name="rows"/>; rows without a position in the window are left out and counted.</summary>
    public static (List<TrainingItem> Items, int RowsWithoutPositions) From(IReadOnlyList<RewardExample> rows, TrainingTargets targets, bool balanceClasses)
    {
        var factors = balanceClasses ? ClassBalancing.Factors(rows) : null;
        var items = new List<TrainingItem>(rows.Count);
        int empty = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var (positions, values) = rows[i].TrainingPositions(targets);
            if (positions.Length == 0) { empty++; continue; }
            items.Add(new TrainingItem(rows[i], positions, values, rows[i].Weight * (factors?[i] ?? 1f)));
        }
        return (items, empty);
    }
}
