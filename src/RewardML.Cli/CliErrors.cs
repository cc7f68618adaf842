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
            var inner = e is TypeInitializationException or System.Reflection.TargetInvocationException && e.InnerException is not null ? e.InnerException! : e;
            AnsiConsole.Console.Profile.Out.Writer.Flush();
            Console.Error.WriteLine($"rewardml: {inner.Message}");
            return inner is ArgumentException or FileNotFoundException or InvalidDataException or FormatException or Spectre.Console.Cli.CommandParseException or Spectre.Console.Cli.CommandRuntimeException ? 2 : 1;
        }
    }
}
