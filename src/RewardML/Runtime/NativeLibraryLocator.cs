namespace RewardML.Runtime;

/// <summary>Finds native files the way the .NET host would: the app folder, its RID folder, then the host's probe list.</summary>
internal static class NativeLibraryLocator
{
    /// <summary>Folders the .NET host probes for native libraries, in order.</summary>
    public static IEnumerable<string> SearchDirectories()
    {
        yield return AppContext.BaseDirectory;
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        // In development builds deps.json points straight into the NuGet cache; the host publishes those folders here.
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string dirs)
            foreach (var dir in dirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                yield return dir;
    }

    /// <summary>The first existing <paramref name="fileName"/> in <see cref="SearchDirectories"/>, or null.</summary>
    public static string? Find(string fileName) =>
        SearchDirectories().Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);

    /// <summary>Path of the libstdc++ this process uses (it is mapped already: the .NET runtime links it).</summary>
    public static string? LoadedLibstdcxx()
    {
        System.Runtime.InteropServices.NativeLibrary.TryLoad("libstdc++.so.6", out _);
        if (!File.Exists("/proc/self/maps")) return null;
        return File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/') is var i and >= 0 ? line[i..] : null)
            .FirstOrDefault(p => p is not null && Path.GetFileName(p).StartsWith("libstdc++.so", StringComparison.Ordinal));
    }
}
