namespace RewardML.Tokenization;

/// <summary>
/// The text a reward model reads, in the five parts truncation needs to tell apart:
/// <c>Before + Question + Between + Code + After</c>. Only <see cref="Question"/> (the <c>Prompt</c> column) is ever shortened.
/// </summary>
internal readonly record struct RewardText(string Before, string Question, string Between, string Code, string After)
{
    public static RewardText Create(PromptTemplate template, PromptFormat format, string prompt, string code, string? starterCode, bool callBased)
    {
        if (format == PromptFormat.Raw) return new(template.Prefix, prompt, template.Middle, code, template.Suffix);
        string starter = string.IsNullOrEmpty(starterCode) ? "" : "\n" + starterCode;
        string answerType = callBased ? "\nUse Call-Based format" : "\nUse Standard Input format";
        return new(template.Prefix + "\nQUESTION:\n", prompt, starter + answerType + "\nANSWER:\n" + template.Middle, code, template.Suffix);
    }

    /// <summary>The full text with the question cut to its first <paramref name="questionChars"/> characters.</summary>
    public string Render(int questionChars) => string.Concat(Before, Question[..questionChars], Between, Code, After);

    /// <summary>Where the program starts in <see cref="Render"/>'s text.</summary>
    public int CodeStart(int questionChars) => Before.Length + questionChars + Between.Length;
}
