using System.Runtime.InteropServices;

namespace RewardML.Tests;

/// <summary>The process's glibc heap as <c>mallinfo2</c> reports it (glibc 2.33 or later); null where it is missing (not Linux, musl, older glibc).</summary>
internal static class NativeHeap
{
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 MallInfo();

    /// <summary>Bytes in use plus free bytes kept, including blocks mapped on their own.</summary>
    public static long? Bytes() => Read() is { } m ? (long)(m.Uordblks + m.Fordblks + m.Hblkhd) : null;

    /// <summary>Bytes in blocks mapped on their own (<c>hblkhd</c>).</summary>
    public static long? MappedBytes() => Read() is { } m ? (long)m.Hblkhd : null;

    private static MallInfo2? Read()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return MallInfo();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
