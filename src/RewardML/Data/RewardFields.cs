using System.Text;

namespace RewardML.Data;

/// <summary>The kinds of value a reward row column holds.</summary>
internal enum RewardFieldKind { Text, Label, Targets, Weight }

/// <summary>One column of a reward row: its configured name, the <see cref="RewardRow"/> member it fills, its kind.</summary>
internal sealed record RewardField(string Name, string MemberName, RewardFieldKind Kind, bool Required)
{
    /// <summary>Whether a file's column or JSON key <paramref name="key"/> names this field: exactly, ignoring case, or in snake_case.</summary>
    public bool Matches(string key) =>
        key.Equals(Name, StringComparison.OrdinalIgnoreCase) || key.Equals(RewardFields.SnakeCase(Name), StringComparison.OrdinalIgnoreCase);
}

/// <summary>The six reward row columns as <see cref="RewardRowLoader.Options"/> configure them.</summary>
internal sealed class RewardFields
{
    public RewardFields(RewardRowLoader.Options options)
    {
        ProblemId = new(Require(options.ProblemIdColumnName), nameof(RewardRow.ProblemId), RewardFieldKind.Text, Required: false);
        Prompt = new(Require(options.PromptColumnName), nameof(RewardRow.Prompt), RewardFieldKind.Text, options.RequirePrompt);
        Code = new(Require(options.CodeColumnName), nameof(RewardRow.Code), RewardFieldKind.Text, Required: true);
        Label = new(Require(options.LabelColumnName), nameof(RewardRow.Label), RewardFieldKind.Label, options.RequireLabel);
        StepTargets = new(Require(options.StepTargetsColumnName), nameof(RewardRow.StepTargets), RewardFieldKind.Targets, Required: false);
        Weight = new(Require(options.WeightColumnName), nameof(RewardRow.Weight), RewardFieldKind.Weight, Required: false);
        All = [ProblemId, Prompt, Code, Label, StepTargets, Weight];
        var duplicate = All.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Reward rows: two columns are both named '{duplicate.Key}'.", nameof(options));
        CsvSeparator = options.CsvSeparator;
    }

    public RewardField ProblemId { get; }
    public RewardField Prompt { get; }
    public RewardField Code { get; }
    public RewardField Label { get; }
    public RewardField StepTargets { get; }
    public RewardField Weight { get; }
    public IReadOnlyList<RewardField> All { get; }
    public char CsvSeparator { get; }

    /// <summary>The field a file's column or key names, or null.</summary>
    public RewardField? Find(string key) => All.FirstOrDefault(f => f.Matches(key));

    /// <summary><c>ProblemId</c> → <c>problem_id</c>, <c>StepTargets</c> → <c>step_targets</c>.</summary>
    public static string SnakeCase(string name)
    {
        var snake = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                snake.Append('_');
            snake.Append(char.ToLowerInvariant(c));
        }
        return snake.ToString();
    }

    /// <summary>Sets <paramref name="field"/> of <paramref name="row"/> from its text in a file; returns why it cannot, or null.</summary>
    public static string? TrySet(RewardRow row, RewardField field, string text)
    {
        string? reason = null;
        switch (field.Kind)
        {
            case RewardFieldKind.Text:
                Set(row, field, text);
                break;
            case RewardFieldKind.Label:
                if (RewardValues.TryParseLabel(text) is { } label) row.Label = label;
                else reason = $"'{RewardValues.Clip(text)}' is not a label ({RewardValues.LabelSpellings}).";
                break;
            case RewardFieldKind.Targets when !string.IsNullOrWhiteSpace(text): // empty: no step targets
                if (RewardValues.TryParseTargets(text, out var targets, out reason)) row.StepTargets = targets;
                break;
            case RewardFieldKind.Weight when !string.IsNullOrWhiteSpace(text): // empty: weight 1
                if (RewardValues.TryParseWeight(text, out float weight, out reason)) row.Weight = weight;
                break;
        }
        return reason;
    }

    public static void Set(RewardRow row, RewardField field, string text)
    {
        switch (field.MemberName)
        {
            case nameof(RewardRow.ProblemId): row.ProblemId = text; break;
            case nameof(RewardRow.Prompt): row.Prompt = text; break;
            case nameof(RewardRow.Code): row.Code = text; break;
            default: throw new InvalidOperationException($"{field.MemberName} is not a text field.");
        }
    }

    private static string Require(string? name) =>
        string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("Reward rows: every column name must be set.") : name;
}
