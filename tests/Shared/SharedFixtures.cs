namespace RewardML.Tests.Shared;

/// <summary>Finds the reference material in <c>../shared</c> beside the checkout; tests skip with a reason without it.</summary>
internal static class SharedFixtures
{
    /// <summary>The repository root (the folder holding RewardML.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>../shared</c> beside the checkout, or null when absent.</summary>
    public static string? Root => Directory.Exists(Path.Combine(RepoRoot, "..", "shared")) ? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared")) : null;

    /// <summary>Full path of <paramref name="relative"/> under ../shared; marks the test inconclusive (skipped) when missing.</summary>
    public static string Require(string relative)
    {
        if (Root is null)
            Assert.Inconclusive($"../shared is absent beside {RepoRoot}: reference fixtures and APPS data live there.");
        string path = Path.Combine(Root!, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Inconclusive($"{path} is absent: this test needs that reference file.");
        return path;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RewardML.sln"))) return dir.FullName;
        throw new InvalidOperationException($"RewardML.sln not found above {AppContext.BaseDirectory}.");
    }
}
