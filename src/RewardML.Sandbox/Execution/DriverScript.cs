namespace RewardML.Sandbox.Execution;

/// <summary>The Python driver that runs inside the sandbox, embedded in this assembly (Execution/sandbox_driver.py).</summary>
internal static class DriverScript
{
    public static string Source { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(DriverScript).Assembly.GetManifestResourceStream("RewardML.Sandbox.sandbox_driver.py")
            ?? throw new InvalidOperationException("The embedded sandbox driver is missing from RewardML.Sandbox.dll.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
