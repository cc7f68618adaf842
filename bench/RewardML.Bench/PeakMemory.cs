namespace RewardML.Bench;

/// <summary>Resident-set figures of this process from /proc (Linux).</summary>
internal static class PeakMemory
{
    /// <summary>VmHWM (peak RSS) and VmRSS in bytes.</summary>
    public static (long Peak, long Current) Read()
    {
        long peak = 0, current = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:")) peak = Kb(line);
            else if (line.StartsWith("VmRSS:")) current = Kb(line);
        }
        return (peak, current);
    }

    public static string Gb(long bytes) => $"{bytes / 1e9:0.00} GB";

    private static long Kb(string line) => long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
}
