namespace RewardML.Data;

/// <summary>Where a reader puts a bad row: thrown at once, or collected so that the good rows are still read.</summary>
internal sealed class RowErrors(string file, ICollection<BadRow>? collected)
{
    public void Add(long line, string? column, string reason)
    {
        var bad = new BadRow(file, line, column, reason);
        if (collected is null) throw new RewardDataException(bad);
        collected.Add(bad);
    }

    /// <summary>A problem with the file as a whole (e.g. a required column missing from the header): always thrown.</summary>
    public RewardDataException FileError(long line, string? column, string reason) => new(new BadRow(file, line, column, reason));
}
