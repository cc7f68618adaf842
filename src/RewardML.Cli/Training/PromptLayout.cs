using RewardML.Tokenization;

namespace RewardML.Cli.Training;

/// <summary>
/// <c>--prompt-format apps|raw|auto</c> of train, sweep and export-dataset: how the prompt is laid out for the reward
/// model (<see cref="PromptFormat"/>). <c>auto</c> (the default) reads HumanEval/MBPP-like rows raw — no APPS
/// <c>QUESTION:</c>/<c>Use Standard Input format</c>/<c>ANSWER:</c> wrapper around a prompt that is already code — and
/// everything else in the APPS layout.
/// </summary>
internal static class PromptLayout
{
    /// <summary>The flag's values.</summary>
    public const string Auto = "auto", Apps = "apps", Raw = "raw";

    /// <summary>The flag's help text.</summary>
    public const string Help = "Prompt layout: apps (QUESTION: … ANSWER:), raw (the prompt as it is; a program that starts with its prompt is not fed it twice) " +
                               "or auto: raw for HumanEval/MBPP-like rows (problems from --problems with test code; else problem ids HumanEval/… or Mbpp/…, " +
                               "or every program starting with its prompt), apps otherwise. Default auto. Recorded in the model zip.";

    /// <summary>A validation error for the flag's value, or null.</summary>
    public static string? Error(string value) =>
        value.ToLowerInvariant() is Auto or Apps or Raw ? null : $"--prompt-format: '{value}' is not one of apps, raw, auto.";

    /// <summary>An explicit format, or null for <c>auto</c>.</summary>
    public static PromptFormat? Explicit(string value) => value.ToLowerInvariant() switch
    {
        Apps => PromptFormat.Apps,
        Raw => PromptFormat.Raw,
        _ => null,
    };

    /// <summary>Resolves the flag for rows read by <see cref="TrainingRowsReader"/>, with the reason for a console line.</summary>
    public static (PromptFormat Format, string Reason) Resolve(string value, TrainingRowsReader.Result read)
    {
        if (Explicit(value) is { } format) return (format, "--prompt-format");
        if (read.CheckStyleProblems is { } checkStyle)
            return checkStyle ? (PromptFormat.Raw, "auto: the problems are HumanEval/MBPP (test code)") : (PromptFormat.Apps, "auto: APPS problems");
        return Detect(read.Rows.Select(r => (r.ProblemId, r.Prompt, r.Code)));
    }

    /// <summary>
    /// <c>auto</c> without problems: raw when every row's problem id is a HumanEval or MBPP task id (<c>HumanEval/N</c>,
    /// <c>Mbpp/N</c>), or every program starts with its non-empty prompt (prompt + completion); else apps.
    /// </summary>
    public static (PromptFormat Format, string Reason) Detect(IEnumerable<(string ProblemId, string Prompt, string Code)> rows)
    {
        var list = rows.ToList();
        if (list.Count > 0 && list.All(r => IsHumanEvalOrMbppId(r.ProblemId))) return (PromptFormat.Raw, "auto: HumanEval/MBPP task ids");
        if (list.Count > 0 && list.All(r => r.Prompt.Length > 0 && r.Code.StartsWith(r.Prompt, StringComparison.Ordinal)))
            return (PromptFormat.Raw, "auto: every program starts with its prompt");
        return (PromptFormat.Apps, "auto: not HumanEval/MBPP-like");
    }

    private static bool IsHumanEvalOrMbppId(string id) =>
        id.StartsWith("HumanEval/", StringComparison.OrdinalIgnoreCase) || id.StartsWith("Mbpp/", StringComparison.OrdinalIgnoreCase);
}
