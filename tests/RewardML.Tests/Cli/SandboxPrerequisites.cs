namespace RewardML.Tests.Cli;

/// <summary>What CLI tests that judge programs for real need on the host; they skip with the reason without it.</summary>
internal static class SandboxPrerequisites
{
    /// <summary>Marks the test inconclusive (skipped) without bubblewrap or the system python3.</summary>
    /// <param name="command">The command under test, for the reason (e.g. <c>rewardml label</c>).</param>
    public static void Require(string command)
    {
        if (!File.Exists("/usr/bin/bwrap")) Assert.Inconclusive($"bubblewrap (/usr/bin/bwrap) is not installed: {command} needs the sandbox (apt-get install bubblewrap; CI installs it).");
        if (!File.Exists("/usr/bin/python3")) Assert.Inconclusive("/usr/bin/python3 is not installed: the sandbox runs programs with it.");
    }
}
