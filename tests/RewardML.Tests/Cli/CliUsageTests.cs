using System.Reflection;
using RewardML.Cli;
using Spectre.Console.Cli;

namespace RewardML.Tests.Cli;

/// <summary>The CLI refuses what it does not understand (exit 2, naming the flag), documents every option, and keeps one exit-code scheme.</summary>
[TestClass]
public sealed class CliUsageTests
{
    private static IEnumerable<Type> SettingsTypes() =>
        typeof(CliErrors).Assembly.GetTypes().Where(t => typeof(CommandSettings).IsAssignableFrom(t) && !t.IsAbstract);

    [TestMethod]
    public void EveryOptionOfEveryVerbHasADescriptionThatStatesItsDefault()
    {
        var settings = SettingsTypes().ToList();
        Assert.IsTrue(settings.Count >= 9, $"expected the settings of every verb, found {settings.Count}");
        var missing = new List<string>();
        foreach (var type in settings)
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            {
                if (property.GetCustomAttribute<CommandOptionAttribute>() is not { } option) continue;
                string flag = "--" + option.LongNames.FirstOrDefault();
                string? description = property.GetCustomAttribute<System.ComponentModel.DescriptionAttribute>()?.Description;
                bool isSwitch = property.PropertyType == typeof(bool);
                if (string.IsNullOrWhiteSpace(description)) missing.Add($"{type.DeclaringType?.Name ?? type.Name} {flag}: no description");
                else if (!isSwitch && !description.Contains("default", StringComparison.OrdinalIgnoreCase) && !description.Contains("required", StringComparison.OrdinalIgnoreCase))
                    missing.Add($"{type.DeclaringType?.Name ?? type.Name} {flag}: description states no default (nor that it is required)");
            }
        Assert.AreEqual(0, missing.Count, "options without a described default:\n" + string.Join("\n", missing));
    }

    [TestMethod]
    public void EveryVerbsSettingsAreFoundByItsName()
    {
        foreach (var (args, settings) in new (string[], string)[]
        {
            (["label"], "LabelCommand"), (["model", "info"], "ModelInfoCommand"), (["model", "forward"], "ModelForwardCommand"),
            (["rollouts"], "RolloutsCommand"), (["runtime"], "RuntimeCommand"), (["eval"], "EvalCommand"), (["train"], "TrainCommand"),
        })
            Assert.AreEqual(settings, CliUsage.VerbOf(args).Settings?.DeclaringType?.Name, $"settings of `{string.Join(' ', args)}`");
    }

    [TestMethod]
    public void ClosestFlagIsSuggestedByEditDistance()
    {
        string[] valid = ["--workers", "--max-tokens", "--memory-mb", "--out"];
        Assert.AreEqual("--workers", CliUsage.Closest("--worker", valid));
        Assert.AreEqual("--max-tokens", CliUsage.Closest("--max-token", valid));
        Assert.AreEqual("--max-tokens", CliUsage.Closest("--max-tokns", valid));
        Assert.IsNull(CliUsage.Closest("--frobnicate", valid), "nothing is close to --frobnicate");
    }

    [TestMethod]
    [DataRow("label --worker 1", "--worker", "--workers")]
    [DataRow("rollouts --max-token 4", "--max-token", "--max-tokens")]
    [DataRow("model info --chekpoint x", "--chekpoint", "--checkpoint")]
    [DataRow("eval --n 4 --k 2 --scroed x.jsonl", "--scroed", "--scored")]
    public void MisspelledFlagIsAUsageErrorNamingItAndTheClosestValidFlag(string commandLine, string given, string suggested)
    {
        var (code, _, stderr) = CliProcess.Run(commandLine.Split(' '));
        Assert.AreEqual(2, code, $"`{commandLine}` must be a usage error; stderr: {stderr}");
        StringAssert.Contains(stderr, $"unknown option {given}", "the error must name the flag given");
        StringAssert.Contains(stderr, $"did you mean {suggested}?", "the error must suggest the closest valid flag");
    }

    [TestMethod]
    public void ExtraArgumentIsAUsageError()
    {
        var (code, _, stderr) = CliProcess.Run("label", "--problems", "p.jsonl", "surplus");
        Assert.AreEqual(2, code, "an extra argument must be a usage error; stderr: " + stderr);
        StringAssert.Contains(stderr, "unexpected argument 'surplus'", "the error must name the argument");
    }

    [TestMethod]
    [DataRow("--seed", "abc", "is not an integer")]
    [DataRow("--temperature", "hot", "is not a number")]
    [DataRow("--workers", "many", "is not an integer")]
    public void BadValueNamesItsFlag(string flag, string value, string what)
    {
        var (code, _, stderr) = CliProcess.Run("rollouts", "--problems", "p.jsonl", "--out", "o.jsonl", flag, value);
        Assert.AreEqual(2, code, $"{flag} {value} must be a usage error; stderr: {stderr}");
        StringAssert.Contains(stderr, $"{flag}: '{value}' {what}", "the error must name the flag and the value");
    }

    [TestMethod]
    public void EvalShortOptionsStillParse()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.jsonl");
        var (code, _, stderr) = CliProcess.Run("eval", "--scored", missing, "--n", "4", "--k=2");
        Assert.IsFalse(stderr.Contains("unknown option", StringComparison.Ordinal), "eval's --n/--k must still be understood: " + stderr);
        Assert.AreEqual(2, code, "a missing --scored file is the user's mistake: " + stderr);
    }

    [TestMethod]
    public void RolloutsHelpDescribesEverySamplingOptionWithItsDefault()
    {
        var (code, stdout, _) = CliProcess.Run("rollouts", "--help");
        Assert.AreEqual(0, code, "--help succeeds");
        foreach (var expected in new[] { "default 1.0", "default 0.95", "default 0)", "default 4)", "default 300", "default 3)", "default 1024" })
            StringAssert.Contains(stdout, expected, "rollouts --help must show " + expected);
    }

    [TestMethod]
    public void RuntimeShowsTheThreadsItWasGiven()
    {
        var (code, stdout, stderr) = CliProcess.Run("runtime", "--threads", "1", "--device", "cpu");
        Assert.AreEqual(0, code, stderr);
        var row = stdout.Split('\n').FirstOrDefault(l => l.Contains("threads", StringComparison.Ordinal)) ?? "";
        StringAssert.Matches(row, new System.Text.RegularExpressions.Regex(@"threads\s*│\s*1\s"), "the table must show --threads 1: " + row);
    }
}
