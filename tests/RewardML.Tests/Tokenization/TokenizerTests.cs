using RewardML.Tokenization;

namespace RewardML.Tests.Tokenization;

[TestClass]
public sealed class TokenizerTests
{
    public static IEnumerable<object[]> BuiltIns => [[TokenizerSpec.Phi4Kind], [TokenizerSpec.Phi4MiniKind]];

    private static RewardTokenizer Get(string kind) => RewardTokenizer.Create(new TokenizerSpec(kind));

    [TestMethod]
    public void Phi4SpecialTokensEncodeToTheirSingleIds()
    {
        var tokenizer = RewardTokenizer.Phi4;
        var expected = new Dictionary<string, int>
        {
            ["<|im_start|>"] = 100264, ["<|im_end|>"] = 100265, ["<|im_sep|>"] = 100266, ["<|endoftext|>"] = 100257,
            ["<|endofprompt|>"] = 100276, ["<|dummy_0|>"] = 100256, ["<|dummy_3|>"] = 100263, ["<|dummy_4|>"] = 100267,
            ["<|dummy_13|>"] = 100277, ["<|dummy_85|>"] = 100349, ["<|dummy_87|>"] = 100351,
        };
        foreach (var (text, id) in expected)
        {
            CollectionAssert.AreEqual(new[] { id }, tokenizer.EncodeToIds(text).ToArray(), text);
            Assert.AreEqual(text, tokenizer.Decode([id]));
        }
        Assert.AreEqual(96, tokenizer.SpecialTokens.Count, "ids 100256..100351 are all special");
        CollectionAssert.AreEquivalent(Enumerable.Range(100256, 96).ToArray(), tokenizer.SpecialTokens.Values.ToArray());
        Assert.AreEqual(100351, tokenizer.MaxTokenId);
    }

    [TestMethod]
    public void Phi4MiniSpecialTokensEncodeToTheirSingleIds()
    {
        var tokenizer = RewardTokenizer.Phi4Mini;
        var expected = new Dictionary<string, int>
        {
            ["<|endoftext|>"] = 199999, ["<|endofprompt|>"] = 200018, ["<|assistant|>"] = 200019, ["<|end|>"] = 200020,
            ["<|user|>"] = 200021, ["<|system|>"] = 200022, ["<|tool|>"] = 200023, ["<|/tool|>"] = 200024,
            ["<|tool_call|>"] = 200025, ["<|/tool_call|>"] = 200026, ["<|tool_response|>"] = 200027, ["<|tag|>"] = 200028,
        };
        foreach (var (text, id) in expected)
        {
            CollectionAssert.AreEqual(new[] { id }, tokenizer.EncodeToIds(text).ToArray(), text);
            Assert.AreEqual(text, tokenizer.Decode([id]));
        }
        Assert.AreEqual(200028, tokenizer.MaxTokenId);
    }

    [TestMethod]
    public void ChatTemplatesEncodeRoleMarkersAsSpecialIds()
    {
        var phi4 = RewardTokenizer.Phi4.EncodeToIds("<|im_start|>user<|im_sep|>hi<|im_end|><|im_start|>assistant<|im_sep|>");
        Assert.AreEqual(100264, phi4[0]);
        Assert.AreEqual(100266, phi4[2]);
        Assert.AreEqual(100266, phi4[^1]);
        var mini = RewardTokenizer.Phi4Mini.EncodeToIds("<|user|>hi<|end|><|assistant|>");
        Assert.AreEqual(200021, mini[0]);
        Assert.AreEqual(200020, mini[^2]);
        Assert.AreEqual(200019, mini[^1]);
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void DecodeRoundTripsUnicodeCrlfTabsAndEmoji(string kind)
    {
        var tokenizer = Get(kind);
        string text = "def grüße(n):\r\n\tif n > 0:  # 日本語 😀🎉\r\n\t\treturn 'é' * n\n\n\n    \u00a0x = \"\\u00e9\"\n";
        Assert.AreEqual(text, tokenizer.Decode(tokenizer.EncodeToIds(text)));
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void OffsetsAreCharactersOfTheOriginalTextAndCoverItInOrder(string kind)
    {
        var tokenizer = Get(kind);
        string text = "héllo 😀 wörld\r\n\tx = '日本語'  \n";
        var tokens = tokenizer.Encode(text);
        var rebuilt = new System.Text.StringBuilder();
        int covered = 0;
        foreach (var t in tokens)
        {
            Assert.IsTrue(t.Start <= t.End && t.End <= text.Length);
            Assert.IsTrue(t.End >= covered, "ends never decrease");
            if (t.Start == covered) { rebuilt.Append(text, t.Start, t.End - t.Start); covered = t.End; }
            else Assert.IsTrue(t.Start < covered, "a byte piece repeats its character's range");
        }
        Assert.AreEqual(text, rebuilt.ToString());
        // The emoji is split into byte tokens that all carry its two UTF-16 chars.
        var emoji = tokens.Where(t => text.AsSpan(t.Start, t.End - t.Start).Contains("😀", StringComparison.Ordinal)).ToList();
        Assert.IsTrue(emoji.Count >= 1);
    }

    [TestMethod]
    [DynamicData(nameof(BuiltIns))]
    public void SharedTokenizerEncodesTheSameFromManyThreads(string kind)
    {
        var tokenizer = Get(kind);
        var texts = Enumerable.Range(0, 64).Select(i => $"def f{i}(x):\n    return x * {i} + len('é{i}😀')\n").ToArray();
        var sequential = texts.Select(t => tokenizer.EncodeToIds(t).ToArray()).ToArray();
        var parallel = new int[texts.Length][];
        Parallel.For(0, texts.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => parallel[i % texts.Length] = tokenizer.EncodeToIds(texts[i % texts.Length]).ToArray());
        for (int i = 0; i < texts.Length; i++) CollectionAssert.AreEqual(sequential[i], parallel[i]);
    }

    [TestMethod]
    public void EmbeddingCheckAcceptsTheOwnModelAndRejectsOthersClearly()
    {
        RewardTokenizer.Phi4.EnsureFitsEmbedding(PhiSpecialTokens.Phi4VocabularySize);
        RewardTokenizer.Phi4Mini.EnsureFitsEmbedding(PhiSpecialTokens.Phi4MiniVocabularySize);

        var tooSmall = Assert.ThrowsExactly<InvalidOperationException>(() => RewardTokenizer.Phi4.EnsureFitsEmbedding(512));
        StringAssert.Contains(tooSmall.Message, "100351");
        StringAssert.Contains(tooSmall.Message, "512");
        var wrongModel = Assert.ThrowsExactly<InvalidOperationException>(() => RewardTokenizer.Phi4.EnsureFitsEmbedding(200064));
        StringAssert.Contains(wrongModel.Message, "100352");
        Assert.ThrowsExactly<InvalidOperationException>(() => RewardTokenizer.Phi4Mini.EnsureFitsEmbedding(100352));
    }

    [TestMethod]
    public void SpecRoundTripsThroughJsonAndTheCommandLineForm()
    {
        foreach (var spec in new[] { TokenizerSpec.Phi4, TokenizerSpec.Phi4Mini, TokenizerSpec.FromFolder("/tmp/some-checkpoint") })
        {
            Assert.AreEqual(spec, TokenizerSpec.FromJson(spec.ToJson()));
            Assert.AreEqual(spec, TokenizerSpec.Parse(spec.ToString()));
        }
        Assert.AreEqual(TokenizerSpec.Phi4Mini, TokenizerSpec.Parse("PHI4-MINI"));
        Assert.ThrowsExactly<ArgumentException>(() => TokenizerSpec.Parse("llama"));
        Assert.ThrowsExactly<ArgumentException>(() => TokenizerSpec.FromJson("{\"Kind\":\"gpt2\"}"));
        Assert.ThrowsExactly<ArgumentException>(() => TokenizerSpec.FromJson("{\"Kind\":\"folder\"}"));
    }

    [TestMethod]
    public void CheckpointWithoutTokenizerJsonPicksTheBuiltInByVocabularySize()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "config.json"), "{\"vocab_size\": 200064}");
        Assert.AreEqual(TokenizerSpec.Phi4Mini, TokenizerSpec.ForCheckpoint(dir.Path));
        File.WriteAllText(Path.Combine(dir.Path, "config.json"), "{\"vocab_size\": 100352}");
        Assert.AreEqual(TokenizerSpec.Phi4, TokenizerSpec.ForCheckpoint(dir.Path));
        File.WriteAllText(Path.Combine(dir.Path, "config.json"), "{\"vocab_size\": 512}");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => TokenizerSpec.ForCheckpoint(dir.Path)).Message, "512");
    }
}

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rewardml-tok-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
