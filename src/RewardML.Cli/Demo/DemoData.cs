using System.Reflection;

namespace RewardML.Cli.Demo;

/// <summary>The demo's embedded default data, written to a temp folder so the ordinary file readers load it.</summary>
internal sealed class DemoData : IDisposable
{
    public const string ProblemsFile = "demo-problems.jsonl";
    public const string CandidatesFile = "demo-candidates.jsonl";
    public const string ModelConfigFile = "tiny-phi4-config.json";

    private DemoData(string folder) => Folder = folder;

    /// <summary>Temp folder holding the extracted files.</summary>
    public string Folder { get; }

    public string PathOf(string file) => Path.Combine(Folder, file);

    public static DemoData Extract()
    {
        var data = new DemoData(Directory.CreateTempSubdirectory("rewardml-demo-").FullName);
        var assembly = Assembly.GetExecutingAssembly();
        foreach (var file in new[] { ProblemsFile, CandidatesFile, ModelConfigFile })
        {
            using var resource = assembly.GetManifestResourceStream($"RewardML.Cli.Demo.{file}")
                ?? throw new InvalidOperationException($"embedded demo file {file} is missing from the build");
            using var target = File.Create(data.PathOf(file));
            resource.CopyTo(target);
        }
        return data;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
