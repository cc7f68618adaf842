namespace RewardML.Tokenization;

/// <summary>
/// The special tokens of the Phi-4 family and their ids, as in the checkpoints' <c>tokenizer_config.json</c>
/// (<c>added_tokens_decoder</c>) on Hugging Face.
/// </summary>
/// <remarks>
/// <para><b>Phi-4</b> (<c>microsoft/phi-4</c>): cl100k_base (regular ids 0–100255) plus 96 special ids 100256–100351;
/// embedding and LM-head size 100352. Chat format <c>&lt;|im_start|&gt;user&lt;|im_sep|&gt;…&lt;|im_end|&gt;&lt;|im_start|&gt;assistant&lt;|im_sep|&gt;</c>.</para>
/// <list type="table">
/// <listheader><term>token</term><description>id</description></listheader>
/// <item><term><c>&lt;|dummy_0|&gt;</c></term><description>100256</description></item>
/// <item><term><c>&lt;|endoftext|&gt;</c></term><description>100257 (cl100k's own; bos/eos of the base model)</description></item>
/// <item><term><c>&lt;|fim_prefix|&gt;</c>, <c>&lt;|fim_middle|&gt;</c>, <c>&lt;|fim_suffix|&gt;</c></term><description>100258, 100259, 100260 (cl100k's own)</description></item>
/// <item><term><c>&lt;|dummy_1|&gt;</c>–<c>&lt;|dummy_3|&gt;</c></term><description>100261–100263</description></item>
/// <item><term><c>&lt;|im_start|&gt;</c>, <c>&lt;|im_end|&gt;</c>, <c>&lt;|im_sep|&gt;</c></term><description>100264, 100265, 100266 (chat; <c>&lt;|im_end|&gt;</c> ends a turn)</description></item>
/// <item><term><c>&lt;|dummy_4|&gt;</c>–<c>&lt;|dummy_12|&gt;</c></term><description>100267–100275</description></item>
/// <item><term><c>&lt;|endofprompt|&gt;</c></term><description>100276 (cl100k's own)</description></item>
/// <item><term><c>&lt;|dummy_13|&gt;</c>–<c>&lt;|dummy_87|&gt;</c></term><description>100277–100351 (<c>&lt;|dummy_85|&gt;</c> = 100349 is the pad token)</description></item>
/// </list>
/// <para><b>Phi-4-mini</b> (<c>microsoft/Phi-4-mini-instruct</c>): o200k_base (regular ids 0–199997) plus the special
/// tokens below; embedding size 200064 (ids 200029–200063 are unused padding rows). Chat format
/// <c>&lt;|system|&gt;…&lt;|end|&gt;&lt;|user|&gt;…&lt;|end|&gt;&lt;|assistant|&gt;</c>.</para>
/// <list type="table">
/// <listheader><term>token</term><description>id</description></listheader>
/// <item><term><c>&lt;|endoftext|&gt;</c></term><description>199999 (o200k's own; eos)</description></item>
/// <item><term><c>&lt;|endofprompt|&gt;</c></term><description>200018 (o200k's own)</description></item>
/// <item><term><c>&lt;|assistant|&gt;</c></term><description>200019</description></item>
/// <item><term><c>&lt;|end|&gt;</c></term><description>200020 (ends a turn)</description></item>
/// <item><term><c>&lt;|user|&gt;</c></term><description>200021</description></item>
/// <item><term><c>&lt;|system|&gt;</c></term><description>200022</description></item>
/// <item><term><c>&lt;|tool|&gt;</c>, <c>&lt;|/tool|&gt;</c></term><description>200023, 200024</description></item>
/// <item><term><c>&lt;|tool_call|&gt;</c>, <c>&lt;|/tool_call|&gt;</c></term><description>200025, 200026</description></item>
/// <item><term><c>&lt;|tool_response|&gt;</c></term><description>200027</description></item>
/// <item><term><c>&lt;|tag|&gt;</c></term><description>200028</description></item>
/// </list>
/// <para>Neither model adds a BOS token. Special tokens written literally in a prompt or program are encoded as their
/// single id, as Hugging Face tokenizers do with added tokens.</para>
/// </remarks>
public static class PhiSpecialTokens
{
    /// <summary>Rows of Phi-4's embedding (and LM head): the vocabulary size its <c>config.json</c> declares.</summary>
    public const int Phi4VocabularySize = 100352;

    /// <summary>Rows of Phi-4-mini's embedding: the vocabulary size its <c>config.json</c> declares.</summary>
    public const int Phi4MiniVocabularySize = 200064;

    /// <summary>Phi-4's special tokens by text (see the remarks for the table).</summary>
    public static IReadOnlyDictionary<string, int> Phi4 { get; } = BuildPhi4();

    /// <summary>Phi-4-mini's special tokens by text (see the remarks for the table).</summary>
    public static IReadOnlyDictionary<string, int> Phi4Mini { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["<|endoftext|>"] = 199999,
        ["<|endofprompt|>"] = 200018,
        ["<|assistant|>"] = 200019,
        ["<|end|>"] = 200020,
        ["<|user|>"] = 200021,
        ["<|system|>"] = 200022,
        ["<|tool|>"] = 200023,
        ["<|/tool|>"] = 200024,
        ["<|tool_call|>"] = 200025,
        ["<|/tool_call|>"] = 200026,
        ["<|tool_response|>"] = 200027,
        ["<|tag|>"] = 200028,
    };

    private static Dictionary<string, int> BuildPhi4()
    {
        var tokens = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["<|dummy_0|>"] = 100256,
            ["<|endoftext|>"] = 100257,
            ["<|fim_prefix|>"] = 100258,
            ["<|fim_middle|>"] = 100259,
            ["<|fim_suffix|>"] = 100260,
            ["<|dummy_1|>"] = 100261,
            ["<|dummy_2|>"] = 100262,
            ["<|dummy_3|>"] = 100263,
            ["<|im_start|>"] = 100264,
            ["<|im_end|>"] = 100265,
            ["<|im_sep|>"] = 100266,
            ["<|endofprompt|>"] = 100276,
        };
        // The remaining ids up to the embedding size are numbered placeholders, skipping <|endofprompt|>'s id.
        int dummy = 4;
        for (int id = 100267; id < Phi4VocabularySize; id++)
            if (id != 100276) tokens[$"<|dummy_{dummy++}|>"] = id;
        return tokens;
    }
}
