namespace RewardML.Tests.Data;

/// <summary>A temporary folder for a test's input files, deleted on dispose.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewardml-data-").FullName;

    public string Write(string name, string text)
    {
        string path = Path.Combine(_root, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
