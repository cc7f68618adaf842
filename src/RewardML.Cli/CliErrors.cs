using System.Reflection;
using Spectre.Console;

namespace RewardML.Cli;

/// <summary>Turns exceptions into one clear line on stderr and a non-zero exit code; a stack trace only with REWARDML_DEBUG=1.</summary>
internal static class CliErrors
{
    /// <summary>Exit code of a command line the CLI does not understand or a value it refuses.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of a failure while doing the work (a missing backend, a crash, failed problems).</summary>
    public const int Failure = 1;

    /// <summary>
    /// Runs <paramref name="body"/>: 0 = success, 2 = usage error (the message names the flag or value), 1 = failure;
    /// stopped by a signal (<see cref="CliStoppedException"/>, or any cancellation after one): 130 for SIGINT, 143 for SIGTERM.
    /// </summary>
    public static int Run(Func<int> body, IReadOnlyList<string>? args = null, CliSignals? signals = null)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Unwrap(e) is CliStoppedException or OperationCanceledException && signals?.Received is not null)
        {
            var inner = Unwrap(e);
            AnsiConsole.Console.Profile.Out.Writer.Flush();
            Console.Error.WriteLine(inner is CliStoppedException ? $"rewardml: {inner.Message}" : $"rewardml: stopped by {signals!.ReceivedName}.");
            return signals!.ExitCode;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("REWARDML_DEBUG") != "1")
        {
            var inner = Unwrap(e);
            AnsiConsole.Console.Profile.Out.Writer.Flush();
            Console.Error.WriteLine($"rewardml: {CliUsage.Rewrite(inner, args ?? []) ?? inner.Message}");
            return IsUsageError(inner) ? UsageError : Failure;
        }
    }

    /// <summary>Whether the exception is the user's mistake (exit 2) rather than a failure (exit 1).</summary>
    internal static bool IsUsageError(Exception inner) =>
        inner is CliUsageException or ArgumentException or FileNotFoundException or InvalidDataException or FormatException or Spectre.Console.Cli.CommandParseException or Spectre.Console.Cli.CommandRuntimeException;

    /// <summary>
    /// The exception that says what went wrong, under any chain of reflection and static-constructor wrappers (ML.NET
    /// invokes our loaders by reflection, twice nested) and single-exception aggregates (tasks).
    /// </summary>
    internal static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case TargetInvocationException or TypeInitializationException when e.InnerException is not null:
                    e = e.InnerException;
                    break;
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    e = aggregate.InnerExceptions[0];
                    break;
                default:
                    return e;
            }
        }
    }
}
