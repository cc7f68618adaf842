namespace RewardML.Persistence;

/// <summary>
/// Builds the errors for a model zip, or a RewardML component inside it, that cannot be read: truncated or corrupt,
/// saved by a newer RewardML, or naming a component this process does not know. They are
/// <see cref="InvalidDataException"/>s (bad input, like every file error in RewardML) whose message names the file or
/// component and entry; a marker in <see cref="Exception.Data"/> lets <see cref="RewardMLComponents.Describe"/> find
/// ours under ML.NET's reflection wrappers.
/// </summary>
internal static class ModelZipError
{
    private const string MarkerKey = "RewardML.ModelZip";

    public static InvalidDataException Create(string message, Exception? inner = null)
    {
        var error = new InvalidDataException(message, inner);
        error.Data[MarkerKey] = true;
        return error;
    }

    public static bool IsOurs(Exception error) => error is InvalidDataException && error.Data.Contains(MarkerKey);
}
