using System.Runtime.InteropServices;

namespace RewardML.Sandbox.Execution;

/// <summary>Who we run as. As root the sandbox drops each program to its own uid (see docs/sandbox.md, "uids").</summary>
internal static class HostIdentity
{
    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUid();

    public static bool IsRoot { get; } = OperatingSystem.IsLinux() && GetEffectiveUid() == 0;
}
