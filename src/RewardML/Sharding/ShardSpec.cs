using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RewardML.Sharding;

/// <summary>
/// One shard of a job split N ways (<c>--shard I/N</c>, I from 0 to N − 1, as Slurm's <c>SLURM_ARRAY_TASK_ID</c> with
/// <c>--array=0-(N-1)</c> and Kubernetes' <c>JOB_COMPLETION_INDEX</c> count). Rows are assigned by problem so that every
/// problem's rows land in one shard: shard = FNV-1a-64(UTF-8 of problem_id) mod N. The hash is fixed here, not .NET's
/// per-process randomized <see cref="string.GetHashCode()"/>, so every process, machine and release agrees.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// FNV-1a 64: h = 14695981039346656037; for each byte b: h = (h XOR b) × 1099511628211 (mod 2⁶⁴). In Python:
/// ```python
/// def shard_of(problem_id: str, n: int) -> int:
///     h = 0xcbf29ce484222325
///     for b in problem_id.encode("utf-8"):
///         h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
///     return h % n
/// ```
/// A problem id that is a JSON number is hashed as its JSON text (`9` → "9"), as `rewardml label` writes it.
/// Rows without a problem id (only `score` allows them) go by line: shard = (line − 1) mod N, line being the 1-based
/// line where the row starts.
/// ]]></format>
/// </remarks>
public sealed record ShardSpec
{
    private static readonly Regex FileSuffix = new(@"\.shard-(\d+)-of-(\d+)$", RegexOptions.CultureInvariant);

    /// <summary>Creates shard <paramref name="index"/> of <paramref name="count"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">count &lt; 1, or index outside [0, count).</exception>
    public ShardSpec(int index, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"--shard I/N: N must be at least 1, got {count}.");
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), $"--shard I/N: I must be in 0..{count - 1} (0-based), got {index}.");
        Index = index;
        Count = count;
    }

    /// <summary>This shard's index, 0-based.</summary>
    public int Index { get; }

    /// <summary>The number of shards.</summary>
    public int Count { get; }

    /// <summary>Parses <c>I/N</c> (e.g. <c>3/8</c>).</summary>
    /// <exception cref="FormatException">Not I/N, or out of range.</exception>
    public static ShardSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i) &&
            int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && i < n)
            return new ShardSpec(i, n);
        throw new FormatException($"--shard: expected I/N with 0 <= I < N (e.g. 0/4 … 3/4), got '{text}'.");
    }

    /// <summary>FNV-1a 64 of the UTF-8 bytes of <paramref name="key"/>.</summary>
    public static ulong StableHash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(key))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return h;
    }

    /// <summary>The shard (of <paramref name="count"/>) that holds problem <paramref name="problemId"/>.</summary>
    public static int ShardOfProblem(string problemId, int count) => (int)(StableHash(problemId) % (ulong)count);

    /// <summary>The shard (of <paramref name="count"/>) of a row without a problem id, by its 1-based line.</summary>
    public static int ShardOfLine(long line, int count) => (int)((line - 1) % count);

    /// <summary>Whether problem <paramref name="problemId"/> belongs to this shard.</summary>
    public bool HoldsProblem(string problemId) => ShardOfProblem(problemId, Count) == Index;

    /// <summary>Whether a row belongs to this shard: by its problem id when it has one, else by its line.</summary>
    public bool HoldsRow(string? problemId, long line) =>
        (problemId is null ? ShardOfLine(line, Count) : ShardOfProblem(problemId, Count)) == Index;

    /// <summary>This shard's output file for <paramref name="output"/>: <c>dir/results.jsonl</c> → <c>dir/results.shard-2-of-8.jsonl</c>.</summary>
    public string FileFor(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        string extension = Path.GetExtension(output);
        string stem = output[..^extension.Length];
        return $"{stem}.shard-{Index}-of-{Count}{extension}";
    }

    /// <summary>The shard a shard file's name says (<c>x.shard-2-of-8.jsonl</c> → 2/8), or null.</summary>
    public static ShardSpec? FromFileName(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        var match = FileSuffix.Match(name);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out int i) ||
            !int.TryParse(match.Groups[2].Value, CultureInfo.InvariantCulture, out int n) || n < 1 || i >= n) return null;
        return new ShardSpec(i, n);
    }

    /// <summary>The unsharded name a shard file stands for (<c>x.shard-2-of-8.jsonl</c> → <c>x.jsonl</c>), or null.</summary>
    public static string? BaseFileName(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        var match = FileSuffix.Match(name);
        return match.Success ? name[..match.Index] + Path.GetExtension(path) : null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}
