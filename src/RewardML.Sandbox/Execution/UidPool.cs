namespace RewardML.Sandbox.Execution;

/// <summary>
/// Hands out one unused host uid per concurrently running program. RLIMIT_NPROC counts the processes of a real
/// uid, and is not enforced at all for root, so each program runs as its own uid: one fork bomb cannot exhaust
/// another program's budget, and the driver (root) is out of the program's reach for signals and /proc.
/// </summary>
/// <remarks>
/// Each pool owns a block of <see cref="BlockSize"/> uids of its own. The block is chosen from our process id plus a
/// count of the pools this process has made (so two judges in one process never share a uid), and claimed with an
/// exclusive lock on a file named after it (so two labelling runs on one host never share one either; the lock goes
/// with the pool or the process). The pool remembers every uid it issued: whatever still runs under one of them
/// after its program ended escaped the sandbox (the tests look there).
/// </remarks>
internal sealed class UidPool : IDisposable
{
    public const int First = 200_000;
    public const int Span = 400_000;
    public const int BlockSize = 1024;
    private const int Blocks = Span / BlockSize;
    private static int s_pools;

    private readonly int _ordinal = Interlocked.Increment(ref s_pools) - 1;
    private readonly Queue<int> _free = new();
    private readonly HashSet<int> _issued = [];
    private FileStream? _claim;
    private int? _base;
    private int _next;

    /// <summary>True for a uid some pool could hand out.</summary>
    public static bool InRange(long uid) => uid >= First && uid < First + Span;

    /// <summary>The first uid of this pool's block; claims the block on first use.</summary>
    public int Base
    {
        get
        {
            lock (_free) return _base ??= ClaimBlock();
        }
    }

    /// <summary>Every uid this pool has handed out so far (a copy).</summary>
    public IReadOnlyCollection<int> Issued
    {
        get
        {
            lock (_free) return _issued.ToArray();
        }
    }

    public int Rent()
    {
        lock (_free)
        {
            _base ??= ClaimBlock();
            // Fresh uids first, then the one returned longest ago: a uid runs a later program only after every other
            // uid of the block has (kernel state of a uid that outlives its processes, like keyrings, is also cleared).
            int uid = _next < BlockSize || _free.Count == 0 ? _base.Value + (_next++ % BlockSize) : _free.Dequeue();
            _issued.Add(uid);
            return uid;
        }
    }

    public void Return(int uid)
    {
        lock (_free) _free.Enqueue(uid);
    }

    public void Dispose()
    {
        lock (_free)
        {
            _claim?.Dispose();
            _claim = null;
        }
    }

    /// <summary>
    /// The first block, from (pid + ordinal), whose lock file we can hold exclusively (.NET takes FileShare.None as
    /// flock(LOCK_EX | LOCK_NB) on Linux, which also excludes another pool of this process). Without a usable lock
    /// folder, the computed block alone (distinct within this process; across processes, unlikely to collide).
    /// </summary>
    private int ClaimBlock()
    {
        int start = (int)(((long)Environment.ProcessId % Blocks + _ordinal) % Blocks);
        string? folder = LockFolder();
        if (folder is not null)
            for (int i = 0; i < Blocks; i++)
            {
                int block = (start + i) % Blocks;
                try
                {
                    _claim = new FileStream(Path.Combine(folder, $"block-{block}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    return First + block * BlockSize;
                }
                catch (IOException) { } // held by another pool
                catch (UnauthorizedAccessException) { break; }
            }
        return First + start * BlockSize;
    }

    private static string? LockFolder()
    {
        foreach (string parent in new[] { "/run", Path.GetTempPath() })
        {
            try
            {
                if (!Directory.Exists(parent)) continue;
                return Directory.CreateDirectory(Path.Combine(parent, "rewardml-uids")).FullName;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return null;
    }
}
