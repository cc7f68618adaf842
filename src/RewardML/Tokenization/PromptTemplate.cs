namespace RewardML.Tokenization;

/// <summary>
/// Wraps the formatted prompt and the program into the text the reward model reads. A template is a string with the
/// placeholders <c>{prompt}</c> and <c>{code}</c>, each exactly once and <c>{prompt}</c> first; everything else is
/// literal text (special tokens written in it, such as <c>&lt;|im_end|&gt;</c>, encode to their single ids).
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>name</term><description>template</description></listheader>
/// <item><term><c>plain</c></term><description><c>{prompt}{code}</c> — with the APPS prompt format this is the APPS/paper layout</description></item>
/// <item><term><c>phi4-chat</c></term><description><c>&lt;|im_start|&gt;user&lt;|im_sep|&gt;{prompt}&lt;|im_end|&gt;&lt;|im_start|&gt;assistant&lt;|im_sep|&gt;{code}</c></description></item>
/// <item><term><c>phi4-mini-chat</c></term><description><c>&lt;|user|&gt;{prompt}&lt;|end|&gt;&lt;|assistant|&gt;{code}</c></description></item>
/// <item><term><c>chat</c></term><description>the chat template of the tokenizer in use (see <see cref="Resolve"/>)</description></item>
/// </list>
/// The chat templates are those of the checkpoints' <c>chat_template</c> for one user turn with the generation prompt;
/// the program is the start of the assistant turn, so nothing follows it.
/// </remarks>
public sealed class PromptTemplate
{
    /// <summary>Where the formatted prompt goes.</summary>
    public const string PromptPlaceholder = "{prompt}";

    /// <summary>Where the program goes.</summary>
    public const string CodePlaceholder = "{code}";

    /// <summary>Name of <see cref="Plain"/>.</summary>
    public const string PlainName = "plain";

    /// <summary>Name of <see cref="Phi4Chat"/>.</summary>
    public const string Phi4ChatName = "phi4-chat";

    /// <summary>Name of <see cref="Phi4MiniChat"/>.</summary>
    public const string Phi4MiniChatName = "phi4-mini-chat";

    /// <summary>Name of the tokenizer's own chat template.</summary>
    public const string ChatName = "chat";

    /// <summary>Creates a template from its text.</summary>
    /// <exception cref="ArgumentException">A placeholder is missing, repeated, or <c>{code}</c> comes before <c>{prompt}</c>.</exception>
    public PromptTemplate(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        int p = SingleIndex(template, PromptPlaceholder);
        int c = SingleIndex(template, CodePlaceholder);
        if (c < p) throw new ArgumentException($"Prompt template '{template}': {CodePlaceholder} must come after {PromptPlaceholder}.");
        Template = template;
        Prefix = template[..p];
        Middle = template[(p + PromptPlaceholder.Length)..c];
        Suffix = template[(c + CodePlaceholder.Length)..];
    }

    /// <summary>The template text.</summary>
    public string Template { get; }

    /// <summary>Text before the prompt.</summary>
    public string Prefix { get; }

    /// <summary>Text between the prompt and the program.</summary>
    public string Middle { get; }

    /// <summary>Text after the program.</summary>
    public string Suffix { get; }

    /// <summary><c>{prompt}{code}</c>.</summary>
    public static PromptTemplate Plain { get; } = new("{prompt}{code}");

    /// <summary>Phi-4's chat format for one user turn, then the assistant turn that holds the program.</summary>
    public static PromptTemplate Phi4Chat { get; } = new("<|im_start|>user<|im_sep|>{prompt}<|im_end|><|im_start|>assistant<|im_sep|>{code}");

    /// <summary>Phi-4-mini's chat format for one user turn, then the assistant turn that holds the program.</summary>
    public static PromptTemplate Phi4MiniChat { get; } = new("<|user|>{prompt}<|end|><|assistant|>{code}");

    /// <summary>
    /// Resolves a template name (<c>plain</c>, <c>phi4-chat</c>, <c>phi4-mini-chat</c>, <c>chat</c>) or template text.
    /// <c>chat</c> picks the format whose special tokens <paramref name="tokenizer"/> has (<c>&lt;|im_sep|&gt;</c> → Phi-4,
    /// <c>&lt;|assistant|&gt;</c> → Phi-4-mini).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, or <c>chat</c> for a tokenizer with neither chat format.</exception>
    public static PromptTemplate Resolve(string nameOrTemplate, RewardTokenizer tokenizer)
    {
        switch (nameOrTemplate.Trim().ToLowerInvariant())
        {
            case PlainName: return Plain;
            case Phi4ChatName: return Phi4Chat;
            case Phi4MiniChatName: return Phi4MiniChat;
            case ChatName:
                if (tokenizer.SpecialTokens.ContainsKey("<|im_sep|>")) return Phi4Chat;
                if (tokenizer.SpecialTokens.ContainsKey("<|assistant|>")) return Phi4MiniChat;
                throw new ArgumentException($"Tokenizer {tokenizer.Spec} has neither Phi-4's nor Phi-4-mini's chat tokens; give the template text.");
        }
        if (!nameOrTemplate.Contains(CodePlaceholder, StringComparison.Ordinal))
            throw new ArgumentException($"Unknown prompt template '{nameOrTemplate}'; use {PlainName}, {Phi4ChatName}, {Phi4MiniChatName}, {ChatName} or a text with {PromptPlaceholder} and {CodePlaceholder}.");
        return new PromptTemplate(nameOrTemplate);
    }

    /// <inheritdoc/>
    public override string ToString() => Template;

    private static int SingleIndex(string template, string placeholder)
    {
        int i = template.IndexOf(placeholder, StringComparison.Ordinal);
        if (i < 0 || template.IndexOf(placeholder, i + 1, StringComparison.Ordinal) >= 0)
            throw new ArgumentException($"Prompt template '{template}' must contain {placeholder} exactly once.");
        return i;
    }
}
