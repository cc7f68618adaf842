namespace RewardML.Tokenization;

/// <summary>How the <c>Prompt</c> column becomes the <c>{prompt}</c> text of a <see cref="PromptTemplate"/>.</summary>
public enum PromptFormat
{
    /// <summary>
    /// The APPS layout: <c>"\nQUESTION:\n" + prompt + ("\n" + starter code, if any) + "\nUse Standard Input format"</c>
    /// (or <c>"\nUse Call-Based format"</c> for call-based problems) <c>+ "\nANSWER:\n"</c>.
    /// </summary>
    Apps,

    /// <summary>The prompt as it is; starter code and the call-based flag are not used.</summary>
    Raw,
}
