namespace RewardML.Sandbox.Execution;

/// <summary>
/// Hands out one unused host uid per concurrently running program. RLIMIT_NPROC counts the processes of a real
/// uid, and is not enforced at all for root, so each program runs as its own uid: one fork bomb cannot exhaust
/// another program's budget, and the driver (root) is out of the program's reach for signals and /proc.
/// The range is offset by our process id so that two labelling runs on one host rarely share a uid.
/// </summary>
internal sealed class UidPool
{
    public const int First = 200_000;
    public const int Span = 400_000;
    private readonly int _base;
    private readonly Stack<int> _free = new();
    private int _next;

    public UidPool() => _base = First + (Environment.ProcessId % (Span / 1024)) * 1024;

    /// <summary>True for a uid this class could hand out (tests use it to look for leftover processes).</summary>
    public static bool InRange(long uid) => uid >= First && uid < First + Span;

    public int Rent()
    {
        lock (_free)
            return _free.Count > 0 ? _free.Pop() : _base + (_next++ % 1024);
    }

    public void Return(int uid)
    {
        lock (_free) _free.Push(uid);
    }
}
