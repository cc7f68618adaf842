using System.Reflection;
using Spectre.Console;

namespace RewardML.Cli;

/// <summary>Turns exceptions into one clear line on stderr and a non-zero exit code; a stack trace only with REWARDML_DEBUG=1.</summary>
internal static class CliErrors
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("REWARDML_DEBUG") != "1")
        {
            var inner = Unwrap(e);
            AnsiConsole.Console.Profile.Out.Writer.Flush();
            Console.Error.WriteLine($"rewardml: {inner.Message}");
            return inner is ArgumentException or FileNotFoundException or InvalidDataException or FormatException or Spectre.Console.Cli.CommandParseException or Spectre.Console.Cli.CommandRuntimeException ? 2 : 1;
        }
    }

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
