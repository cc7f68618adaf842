namespace RewardML.Sharding;

/// <summary>A complete, non-overlapping set of shard files: shard I of N at index I.</summary>
public sealed class ShardFiles
{
    private ShardFiles(IReadOnlyList<string> paths) => Paths = paths;

    /// <summary>The shard files in shard order (index I = shard I).</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>N.</summary>
    public int Count => Paths.Count;

    /// <summary>
    /// Checks that <paramref name="paths"/> are shards 0..N−1 of one N-way split, each once, by their names
    /// (<c>NAME.shard-I-of-N.EXT</c>); with no paths, finds the shard files of <paramref name="output"/> beside it.
    /// </summary>
    /// <exception cref="ShardMergeException">A name that is not a shard file, shards of different N, a shard given twice, a shard missing.</exception>
    public static ShardFiles Resolve(IReadOnlyList<string> paths, string output)
    {
        if (paths.Count == 0)
        {
            string dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
            string pattern = $"{Path.GetFileNameWithoutExtension(output)}.shard-*-of-*{Path.GetExtension(output)}";
            paths = Directory.Exists(dir)
                ? Directory.GetFiles(dir, pattern).Where(p => ShardSpec.FromFileName(p) is not null && !p.EndsWith(".errors.csv", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
                : [];
            if (paths.Count == 0) throw new ShardMergeException($"merge: no shard files given and none found beside {output} (looked for {pattern} in {dir}).");
        }
        var specs = new List<(string Path, ShardSpec Shard)>();
        foreach (var path in paths)
        {
            var shard = ShardSpec.FromFileName(path)
                ?? throw new ShardMergeException($"merge: '{path}' is not a shard file; expected NAME.shard-I-of-N.EXT as written by --shard I/N.");
            if (!File.Exists(path)) throw new ShardMergeException($"merge: shard {shard} file '{path}' does not exist; run the job with --shard {shard}.");
            specs.Add((path, shard));
        }
        var counts = specs.Select(s => s.Shard.Count).Distinct().Order().ToList();
        if (counts.Count > 1)
            throw new ShardMergeException($"merge: the files come from different splits (N = {string.Join(", ", counts)}): {string.Join(", ", specs.Select(s => $"{s.Path} ({s.Shard})"))}. Merge the shards of one --shard I/N run.");
        int n = counts[0];
        var byIndex = new string?[n];
        foreach (var (path, shard) in specs)
        {
            if (byIndex[shard.Index] is { } other)
                throw new ShardMergeException($"merge: shard {shard} is given twice ('{other}' and '{path}'); overlapping shards cannot be merged.");
            byIndex[shard.Index] = path;
        }
        var missing = Enumerable.Range(0, n).Where(i => byIndex[i] is null).ToList();
        if (missing.Count > 0)
            throw new ShardMergeException($"merge: shard{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(i => $"{i}/{n}"))} missing; " +
                $"run {string.Join(" and ", missing.Select(i => $"--shard {i}/{n}"))} (a shard resumes where it stopped).");
        return new ShardFiles(byIndex!);
    }
}

/// <summary>Shard outputs that cannot be merged: the message names the shard(s) to rerun or the files at fault.</summary>
public sealed class ShardMergeException(string message) : Exception(message);
