using System.Text.Json;

namespace RewardML.Tests.Tokenization;

/// <summary>
/// Writes a small byte-level BPE checkpoint tokenizer (Hugging Face <c>tokenizer.json</c> layout, GPT-2 byte alphabet):
/// ids 0..255 are the bytes, a few merges build "def", " f", "():" and runs of spaces, and chat tokens are added.
/// Its vocabulary fits the 512-row tiny model fixtures.
/// </summary>
internal static class TinyTokenizerJson
{
    public const int Def = 256, SpaceF = 258, ParensColon = 260, TwoSpaces = 261, FourSpaces = 262;
    public const int End = 300, User = 301, Assistant = 302, EndOfText = 303;

    public static void Write(string folder, int vocabSize = 512, bool endOfText = false)
    {
        var bytes = ByteAlphabet();
        var vocab = new Dictionary<string, int>();
        for (int b = 0; b < 256; b++) vocab[bytes[b].ToString()] = b;
        (string, string, int)[] merges =
        [
            ("d", "e", 257), ("de", "f", Def), ("Ġ", "f", SpaceF), ("(", ")", 259), ("()", ":", ParensColon),
            ("Ġ", "Ġ", TwoSpaces), ("ĠĠ", "ĠĠ", FourSpaces),
        ];
        foreach (var (a, b, id) in merges) vocab[a + b] = id;
        var json = new
        {
            version = "1.0",
            added_tokens = new object[]
            {
                new { id = End, content = "<|end|>", special = true },
                new { id = Assistant, content = "<|assistant|>", special = true },
            }.Concat(endOfText ? [new { id = EndOfText, content = "<|endoftext|>", special = true }] : []).ToArray(), // the document separator pretraining needs
            normalizer = (object?)null,
            pre_tokenizer = new
            {
                type = "Sequence",
                pretokenizers = new object[]
                {
                    new { type = "Split", pattern = new { Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+" }, behavior = "Isolated", invert = false },
                    new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = false },
                },
            },
            decoder = new { type = "ByteLevel" },
            model = new { type = "BPE", vocab, merges = merges.Select(m => $"{m.Item1} {m.Item2}").ToArray() },
        };
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), JsonSerializer.Serialize(json));
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"),
            "{\"add_bos_token\": false, \"added_tokens_decoder\": {\"301\": {\"content\": \"<|user|>\", \"special\": true}}}");
        File.WriteAllText(Path.Combine(folder, "config.json"), $"{{\"vocab_size\": {vocabSize}}}");
    }

    // GPT-2's reversible byte → printable character map.
    private static char[] ByteAlphabet()
    {
        var map = new char[256];
        var printable = new HashSet<int>(Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)));
        int next = 256;
        for (int b = 0; b < 256; b++) map[b] = printable.Contains(b) ? (char)b : (char)next++;
        return map;
    }
}
