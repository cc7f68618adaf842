using Microsoft.ML;
using RewardML.Data;

namespace RewardML;

/// <summary>Loads reward-model rows from files through <c>mlContext.Data</c>.</summary>
/// <remarks>
/// The columns, their types and how file values are read are described at <see cref="RewardRowLoader"/>:
/// <c>ProblemId</c> (text), <c>Prompt</c> (text), <c>Code</c> (text), <c>Label</c> (bool), optional
/// <c>StepTargets</c> (vector of float) and <c>Weight</c> (float).
/// </remarks>
public static class RewardDataCatalog
{
    /// <summary>Reads a CSV file with a header row; the first bad row throws an error naming file, line and column.</summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">Column names and requirements; defaults when null.</param>
    /// <exception cref="RewardDataException">A required column is missing, a value has the wrong type, or a label is bad.</exception>
    public static IDataView LoadRewardRowsFromCsv(this DataOperationsCatalog catalog, string path, RewardRowLoader.Options? options = null) =>
        RewardRowLoader.ReadCsv(path, options).ToDataView(catalog);

    /// <summary>Reads a CSV file with a header row, keeping the good rows and reporting the bad ones.</summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">Column names and requirements; defaults when null.</param>
    /// <param name="badRows">The rows that could not be read: line, column and reason.</param>
    /// <exception cref="RewardDataException">A required column is missing from the header (no row can be read).</exception>
    public static IDataView LoadRewardRowsFromCsv(this DataOperationsCatalog catalog, string path, RewardRowLoader.Options? options,
        out IReadOnlyList<BadRow> badRows)
    {
        var bad = new List<BadRow>();
        var view = RewardRowLoader.ReadCsv(path, options, bad).ToDataView(catalog);
        badRows = bad;
        return view;
    }

    /// <summary>Reads a JSON Lines file (one object per line; snake_case keys such as <c>problem_id</c> match); the first bad row throws.</summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="path">The JSON Lines file.</param>
    /// <param name="options">Column names and requirements; defaults when null.</param>
    /// <exception cref="RewardDataException">A required key is missing, a value has the wrong type, a label is bad, or a line is not JSON.</exception>
    public static IDataView LoadRewardRowsFromJsonl(this DataOperationsCatalog catalog, string path, RewardRowLoader.Options? options = null) =>
        RewardRowLoader.ReadJsonl(path, options).ToDataView(catalog);

    /// <summary>Reads a JSON Lines file, keeping the good rows and reporting the bad ones.</summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="path">The JSON Lines file.</param>
    /// <param name="options">Column names and requirements; defaults when null.</param>
    /// <param name="badRows">The rows that could not be read: line, column and reason.</param>
    public static IDataView LoadRewardRowsFromJsonl(this DataOperationsCatalog catalog, string path, RewardRowLoader.Options? options,
        out IReadOnlyList<BadRow> badRows)
    {
        var bad = new List<BadRow>();
        var view = RewardRowLoader.ReadJsonl(path, options, bad).ToDataView(catalog);
        badRows = bad;
        return view;
    }
}
