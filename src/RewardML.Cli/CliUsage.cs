using System.Reflection;
using System.Text.RegularExpressions;
using RewardML.Tokenization;
using RewardML.Training;
using Spectre.Console.Cli;

namespace RewardML.Cli;

/// <summary>
/// A mistake on the command line (an unknown flag, an extra argument, a value of the wrong type): exit code 2, as for a
/// failed <c>Validate()</c>. The message names the flag.
/// </summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>
/// The CLI refuses what it does not understand. Spectre.Console.Cli puts unknown flags into
/// <see cref="CommandContext.Remaining"/> (non-strict parsing); <see cref="StrictArguments"/> turns them into usage
/// errors naming the flag and the closest valid one, for every verb without per-verb code.
/// </summary>
internal static partial class CliUsage
{
    /// <summary>Every flag a settings type declares (long as <c>--name</c>, short as <c>-n</c>), inherited ones included.</summary>
    public static IReadOnlyList<string> FlagsOf(Type settingsType) =>
        settingsType.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .Where(a => a is not null)
            .SelectMany(a => a!.LongNames.Select(n => "--" + n).Concat(a.ShortNames.Select(n => "-" + n)))
            .Append("--help")
            .Distinct()
            .ToList();

    /// <summary>The valid flag nearest to <paramref name="given"/> by edit distance, or null when none is close.</summary>
    public static string? Closest(string given, IEnumerable<string> valid)
    {
        string bare = given.TrimStart('-');
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in valid)
        {
            string c = candidate.TrimStart('-');
            int d = c.StartsWith(bare, StringComparison.Ordinal) || bare.StartsWith(c, StringComparison.Ordinal)
                ? Math.Abs(c.Length - bare.Length) : Distance(bare, c);
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        return best is not null && bestDistance <= Math.Max(2, bare.Length / 3) ? best : null;
    }

    /// <summary>The built-in backbones <c>--backbone</c> takes besides a checkpoint folder.</summary>
    public static readonly string[] BuiltInBackbones = ["tiny", "tiny-mini"];

    /// <summary>
    /// <c>--backbone</c>'s value as <see cref="RewardML.Training.RewardBackbone.Parse"/> reads it; a value that is no
    /// folder but close to a built-in name is refused with that name suggested, as unknown flags are.
    /// </summary>
    public static RewardML.Training.RewardBackbone ParseBackbone(string text)
    {
        string t = text.Trim();
        if (!Directory.Exists(t) && !BuiltInBackbones.Contains(t, StringComparer.OrdinalIgnoreCase) && Closest(t, BuiltInBackbones) is { } near)
            throw new CliUsageException($"--backbone: '{text}' is neither a built-in backbone ({string.Join(", ", BuiltInBackbones)}) nor a checkpoint folder; did you mean {near}?");
        return RewardML.Training.RewardBackbone.Parse(t);
    }

    /// <summary>
    /// <c>--backbone</c> where only the built-in tiny model can be trained, from scratch: <c>tiny</c>, <c>tiny-mini</c>, or
    /// either sized as <c>tiny:hidden=128,layers=4,heads=4,kv-heads=2</c>, read by <see cref="RewardBackbone.Parse"/>.
    /// Anything else, a checkpoint folder included, is refused; <paramref name="why"/> ends that message.
    /// </summary>
    /// <exception cref="CliUsageException">Not a tiny form (a close built-in name is suggested), or bad tiny sizes (the keys are listed).</exception>
    public static RewardBackbone ParseTinyBackbone(string text, string why)
    {
        string t = text.Trim();
        string name = t.Split(':', 2)[0];
        if (!BuiltInBackbones.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            string what = Directory.Exists(t) ? "a folder" : Closest(name, BuiltInBackbones) is { } near ? $"not a tiny backbone (did you mean {near}?)" : "not a tiny backbone";
            throw new CliUsageException($"--backbone: '{text}' is {what}: use {string.Join(", ", BuiltInBackbones)} or tiny:key=value,... ({why}).");
        }
        try
        {
            return RewardBackbone.Parse(t);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException($"--backbone: {e.Message}");
        }
    }

    /// <summary>
    /// The tokenizer that fits <paramref name="backbone"/>'s vocabulary when <c>--tokenizer</c> is not given: phi4-mini for a
    /// tiny backbone with Phi-4-mini's vocabulary (tiny-mini), phi4 for the other tiny ones, the checkpoint's own otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">A checkpoint without <c>tokenizer.json</c> whose vocabulary size matches no built-in tokenizer.</exception>
    public static TokenizerSpec TokenizerFor(RewardBackbone backbone) =>
        backbone.IsTiny
            ? backbone.Tiny!.VocabSize == PhiSpecialTokens.Phi4MiniVocabularySize ? TokenizerSpec.Phi4Mini : TokenizerSpec.Phi4
            : TokenizerSpec.ForCheckpoint(backbone.Path!);

    /// <summary>The error for an unknown flag: names it and suggests the closest valid flag.</summary>
    public static string UnknownFlag(string verb, string flag, Type settingsType)
    {
        string? near = Closest(flag, FlagsOf(settingsType));
        return $"{verb}: unknown option {flag}" + (near is null ? "" : $"; did you mean {near}?") + $" (see rewardml {verb} --help)";
    }

    /// <summary>Levenshtein distance.</summary>
    internal static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    /// <summary>
    /// Rewrites Spectre's parse and conversion errors so they name the flag ("--seed: 'abc' is not an integer") or the
    /// extra argument; null when <paramref name="e"/> is not one of them.
    /// </summary>
    public static string? Rewrite(Exception e, IReadOnlyList<string> args)
    {
        if (e is CommandRuntimeException && ConversionError().Match(e.Message) is { Success: true } conversion)
        {
            string value = conversion.Groups["value"].Value, type = conversion.Groups["type"].Value;
            string? flag = null;
            for (int i = 0; i < args.Count; i++)
            {
                if (args[i] == value && i > 0 && args[i - 1].StartsWith('-')) { flag = args[i - 1]; break; }
                if (args[i].StartsWith('-') && args[i].EndsWith("=" + value, StringComparison.Ordinal)) { flag = args[i][..args[i].IndexOf('=')]; break; }
            }
            string what = TypeOf(e) switch
            {
                "Int32" or "Int64" or "Int16" or "Byte" => "an integer",
                "Double" or "Single" or "Decimal" => "a number",
                "Boolean" => "true or false",
                _ => type == "Nullable`1" ? "a value of the right type" : "a " + type,
            };
            return $"{flag ?? "an option"}: '{value}' is not {what}";
        }
        if (e is CommandParseException && UnknownOption().Match(e.Message) is { Success: true } option)
        {
            string name = option.Groups["name"].Value, flag = (name.Length == 1 ? "-" : "--") + name;
            var (verb, settings) = VerbOf(args);
            return settings is null ? $"unknown option {flag}" : UnknownFlag(verb, flag, settings);
        }
        if (e is CommandParseException && UnknownCommand().Match(e.Message) is { Success: true } unknown
            && args.Count > 1 && args[0] != unknown.Groups["name"].Value)
            return $"unexpected argument '{unknown.Groups["name"].Value}' (see rewardml {args[0]} --help)";
        return null;
    }

    /// <summary>
    /// The verb on a command line and its settings type, by the convention every verb follows: <c>model info</c> is
    /// <c>ModelInfoCommand.Settings</c>, <c>export-csv</c> would be <c>ExportCsvCommand.Settings</c>.
    /// </summary>
    internal static (string Verb, Type? Settings) VerbOf(IReadOnlyList<string> args)
    {
        var commands = typeof(CliUsage).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Command", StringComparison.Ordinal) && SettingsOf(t) is not null)
            .ToDictionary(t => t.Name[..^"Command".Length], StringComparer.Ordinal);
        for (int words = Math.Min(2, args.Count); words >= 1; words--)
        {
            if (args.Take(words).Any(a => a.StartsWith('-'))) continue;
            string key = string.Concat(args.Take(words).SelectMany(a => a.Split('-', StringSplitOptions.RemoveEmptyEntries))
                .Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            if (commands.TryGetValue(key, out var command)) return (string.Join(' ', args.Take(words)), SettingsOf(command));
        }
        return (args.Count > 0 ? args[0] : "rewardml", null);
    }

    /// <summary>TSettings of a <c>Command&lt;TSettings&gt;</c> or <c>AsyncCommand&lt;TSettings&gt;</c>.</summary>
    internal static Type? SettingsOf(Type command)
    {
        for (var t = command.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericArguments() is [var settings] && typeof(CommandSettings).IsAssignableFrom(settings))
                return settings;
        return null;
    }

    /// <summary>The target type of a failed conversion, from the inner converter's message ("abc is not a valid value for Int32.").</summary>
    private static string TypeOf(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (ValidValueFor().Match(inner.Message) is { Success: true } m) return m.Groups["type"].Value;
        return ConversionError().Match(e.Message).Groups["type"].Value;
    }

    [GeneratedRegex(@"^Failed to convert '(?<value>.*)' to (?<type>[\w`]+)\.$", RegexOptions.Singleline)]
    private static partial Regex ConversionError();

    [GeneratedRegex(@"is not a valid value for (?<type>\w+)\.")]
    private static partial Regex ValidValueFor();

    [GeneratedRegex(@"^Unknown option '(?<name>.*)'\.$")]
    private static partial Regex UnknownOption();

    [GeneratedRegex(@"^Unknown command '(?<name>.*)'\.$")]
    private static partial Regex UnknownCommand();

    /// <summary>Refuses unknown flags and left-over arguments before any verb runs.</summary>
    internal sealed class StrictArguments : ICommandInterceptor
    {
        public void Intercept(CommandContext context, CommandSettings settings)
        {
            foreach (var group in context.Remaining.Parsed)
            {
                string flag = group.Key.StartsWith('-') ? group.Key : (group.Key.Length == 1 ? "-" : "--") + group.Key;
                throw new CliUsageException(UnknownFlag(context.Name, flag, settings.GetType()));
            }
            if (context.Remaining.Raw.Count > 0)
                throw new CliUsageException($"{context.Name}: unexpected argument '{context.Remaining.Raw[0]}' (see rewardml {context.Name} --help)");
        }
    }
}
