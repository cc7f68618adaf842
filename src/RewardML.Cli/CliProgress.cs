using Spectre.Console;

namespace RewardML.Cli;

/// <summary>Progress that ends at 100% also when output is captured (Spectre's non-interactive rendering shows only the first frame).</summary>
internal static class CliProgress
{
    /// <summary>After a progress bar finished: when output is not a terminal, one line saying the task reached 100%.</summary>
    public static void Finished(string description)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            AnsiConsole.WriteLine($"{description}: 100%");
    }
}
