namespace RewardML.Runtime;

/// <summary>
/// Decides whether a native library can load against the host's libstdc++ and, if not, whether flagging the
/// missing version needs as weak is known to be safe.
/// </summary>
/// <remarks>
/// TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> needs <c>GLIBCXX_3.4.32</c> (GCC 13) only for
/// <c>std::ios_base_library_init()</c>, a marker symbol GCC 13 emits with no relocation against it. Hosts with
/// GCC 12's libstdc++ (Debian 12, Ubuntu 22.04) define up to 3.4.30, so the dynamic loader refuses the library
/// although nothing it calls is missing. A weak version need makes the loader accept it. Any other missing
/// version could hide a real missing function, so the plan refuses those instead of guessing.
/// </remarks>
internal static class LibstdcxxCompatibility
{
    /// <summary>libstdc++ versions whose only use in the libraries we load is a relocation-free marker symbol.</summary>
    public static readonly IReadOnlySet<string> MarkerOnlyVersions = new HashSet<string>(StringComparer.Ordinal) { "GLIBCXX_3.4.32" };

    private const string Libstdcxx = "libstdc++.so.6";

    /// <summary>What to do about one library.</summary>
    /// <param name="ToWeaken">Needs to flag weak; empty when the library loads as it is.</param>
    /// <param name="Unsatisfiable">Missing versions that are not known to be safe to weaken.</param>
    public sealed record Plan(IReadOnlyList<ElfSymbolVersions.VersionNeed> ToWeaken, IReadOnlyList<string> Unsatisfiable)
    {
        /// <summary>True when the library needs a patched copy.</summary>
        public bool NeedsPatch => ToWeaken.Count > 0;
    }

    /// <summary>Compares what <paramref name="library"/> needs from libstdc++ with what the host's libstdc++ defines.</summary>
    public static Plan Decide(ElfSymbolVersions library, IEnumerable<string> hostDefinedVersions)
    {
        var host = new HashSet<string>(hostDefinedVersions, StringComparer.Ordinal);
        var missing = library.Needed
            .Where(n => n.File == Libstdcxx && !n.IsWeak && !host.Contains(n.Version))
            .ToList();
        return new Plan(
            missing.Where(n => MarkerOnlyVersions.Contains(n.Version)).ToList(),
            missing.Where(n => !MarkerOnlyVersions.Contains(n.Version)).Select(n => n.Version).ToList());
    }
}
