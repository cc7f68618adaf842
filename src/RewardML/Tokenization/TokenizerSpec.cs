using System.Text.Json;
using System.Text.Json.Serialization;

namespace RewardML.Tokenization;

/// <summary>
/// Names a tokenizer so that a component can save which one it used and recreate it on load:
/// <c>phi4</c>, <c>phi4-mini</c>, or <c>folder</c> with the path of a checkpoint folder holding <c>tokenizer.json</c>.
/// </summary>
/// <remarks>Serializes to JSON as <c>{"Kind":"phi4","Path":null}</c>. <see cref="RewardTokenizer.Create"/> builds the tokenizer.</remarks>
public sealed record TokenizerSpec
{
    /// <summary>Kind of the Phi-4 (14B) tokenizer: cl100k_base plus Phi-4's special tokens.</summary>
    public const string Phi4Kind = "phi4";

    /// <summary>Kind of the Phi-4-mini tokenizer: o200k_base plus Phi-4-mini's special tokens.</summary>
    public const string Phi4MiniKind = "phi4-mini";

    /// <summary>Kind of a tokenizer read from a folder's <c>tokenizer.json</c> (and <c>tokenizer_config.json</c>).</summary>
    public const string FolderKind = "folder";

    /// <summary>Creates a spec; prefer <see cref="Phi4"/>, <see cref="Phi4Mini"/>, <see cref="FromFolder"/> or <see cref="Parse"/>.</summary>
    /// <exception cref="ArgumentException">Unknown kind, or a folder kind without a path.</exception>
    [JsonConstructor]
    public TokenizerSpec(string kind, string? path = null)
    {
        Kind = kind switch
        {
            Phi4Kind or Phi4MiniKind => kind,
            FolderKind when !string.IsNullOrWhiteSpace(path) => kind,
            FolderKind => throw new ArgumentException("Tokenizer kind 'folder' needs the folder path."),
            _ => throw new ArgumentException($"Unknown tokenizer kind '{kind}'; use {Phi4Kind}, {Phi4MiniKind} or {FolderKind}."),
        };
        Path = kind == FolderKind ? path : null;
    }

    /// <summary><c>phi4</c>, <c>phi4-mini</c> or <c>folder</c>.</summary>
    public string Kind { get; }

    /// <summary>The folder holding <c>tokenizer.json</c> when <see cref="Kind"/> is <c>folder</c>; otherwise null.</summary>
    public string? Path { get; }

    /// <summary>The Phi-4 (14B) tokenizer.</summary>
    public static TokenizerSpec Phi4 { get; } = new(Phi4Kind);

    /// <summary>The Phi-4-mini tokenizer.</summary>
    public static TokenizerSpec Phi4Mini { get; } = new(Phi4MiniKind);

    /// <summary>A tokenizer read from <paramref name="folder"/>'s <c>tokenizer.json</c>.</summary>
    public static TokenizerSpec FromFolder(string folder) => new(FolderKind, System.IO.Path.GetFullPath(folder));

    /// <summary>
    /// Parses the command-line form: <c>phi4</c>, <c>phi4-mini</c>, <c>folder:PATH</c>, or the path of an existing folder.
    /// </summary>
    /// <exception cref="ArgumentException">The text names no known kind and no existing folder.</exception>
    public static TokenizerSpec Parse(string text)
    {
        string t = text.Trim();
        if (t.Equals(Phi4Kind, StringComparison.OrdinalIgnoreCase)) return Phi4;
        if (t.Equals(Phi4MiniKind, StringComparison.OrdinalIgnoreCase) || t.Equals("phi4mini", StringComparison.OrdinalIgnoreCase)) return Phi4Mini;
        if (t.StartsWith(FolderKind + ":", StringComparison.OrdinalIgnoreCase)) return FromFolder(t[(FolderKind.Length + 1)..]);
        if (Directory.Exists(t)) return FromFolder(t);
        throw new ArgumentException($"Unknown tokenizer '{text}'; use {Phi4Kind}, {Phi4MiniKind}, folder:PATH or the path of a folder with tokenizer.json.");
    }

    /// <summary>
    /// The tokenizer that belongs to a Hugging Face checkpoint folder: its own <c>tokenizer.json</c> when present, otherwise
    /// the built-in tokenizer whose vocabulary matches <c>config.json</c>'s <c>vocab_size</c> (100352 → phi4, 200064 → phi4-mini).
    /// </summary>
    /// <exception cref="ArgumentException">The folder has no <c>tokenizer.json</c> and its vocabulary size matches no built-in tokenizer.</exception>
    public static TokenizerSpec ForCheckpoint(string folder)
    {
        if (File.Exists(System.IO.Path.Combine(folder, TokenizerJsonReader.TokenizerFile))) return FromFolder(folder);
        int? vocab = TokenizerJsonReader.ReadConfigVocabularySize(folder);
        return vocab switch
        {
            PhiSpecialTokens.Phi4VocabularySize => Phi4,
            PhiSpecialTokens.Phi4MiniVocabularySize => Phi4Mini,
            null => throw new ArgumentException($"{folder}: no tokenizer.json and no vocab_size in config.json; name the tokenizer (phi4, phi4-mini, folder:PATH)."),
            _ => throw new ArgumentException($"{folder}: no tokenizer.json, and vocab_size {vocab} matches neither phi4 ({PhiSpecialTokens.Phi4VocabularySize}) nor phi4-mini ({PhiSpecialTokens.Phi4MiniVocabularySize}); name the tokenizer."),
        };
    }

    /// <summary>The command-line form that <see cref="Parse"/> reads back.</summary>
    public override string ToString() => Kind == FolderKind ? $"{FolderKind}:{Path}" : Kind;

    /// <summary>Serializes to JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads a spec written by <see cref="ToJson"/>.</summary>
    /// <exception cref="ArgumentException">The JSON is malformed or names an unknown kind.</exception>
    public static TokenizerSpec FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<TokenizerSpec>(json) ?? throw new ArgumentException("Tokenizer spec JSON is empty.");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Tokenizer spec JSON is invalid: {e.Message}", e);
        }
    }
}
