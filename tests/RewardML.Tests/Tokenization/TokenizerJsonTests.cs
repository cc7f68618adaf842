using RewardML.Tokenization;

namespace RewardML.Tests.Tokenization;

[TestClass]
public sealed class TokenizerJsonTests
{
    [TestMethod]
    public void FolderTokenizerAppliesMergesSpecialTokensAndOffsets()
    {
        using var dir = new TempDir();
        TinyTokenizerJson.Write(dir.Path);
        var tokenizer = RewardTokenizer.Create(TokenizerSpec.FromFolder(dir.Path));

        var tokens = tokenizer.Encode("def f():");
        CollectionAssert.AreEqual(new[] { TinyTokenizerJson.Def, TinyTokenizerJson.SpaceF, TinyTokenizerJson.ParensColon }, tokens.Select(t => t.Id).ToArray());
        CollectionAssert.AreEqual(new[] { (0, 3), (3, 5), (5, 8) }, tokens.Select(t => (t.Start, t.End)).ToArray());

        CollectionAssert.AreEqual(new[] { TinyTokenizerJson.User, TinyTokenizerJson.Def, TinyTokenizerJson.End },
            tokenizer.EncodeToIds("<|user|>def<|end|>").ToArray(), "added tokens from tokenizer.json and tokenizer_config.json");
        Assert.AreEqual(TinyTokenizerJson.Assistant, tokenizer.SpecialTokenId("<|assistant|>"));
        Assert.AreEqual(512, tokenizer.ModelVocabularySize);
        Assert.AreSame(PromptTemplate.Phi4MiniChat, PromptTemplate.Resolve("chat", tokenizer));
    }

    [TestMethod]
    public void FolderTokenizerRoundTripsUnicodeAndCrlfWithCharacterOffsets()
    {
        using var dir = new TempDir();
        TinyTokenizerJson.Write(dir.Path);
        var tokenizer = RewardTokenizer.Create(TokenizerSpec.FromFolder(dir.Path));
        string text = "def f():\r\n    return 'é😀'\n";
        Assert.AreEqual(text, tokenizer.Decode(tokenizer.EncodeToIds(text)));
        var tokens = tokenizer.Encode(text);
        Assert.IsTrue(tokens.Any(t => t.Id == TinyTokenizerJson.TwoSpaces), "the three spaces before \" return\" start with a merged pair");
        int e = text.IndexOf('é');
        Assert.IsTrue(tokens.Where(t => t.Start == e).All(t => t.End == e + 1), "é's two byte tokens both carry its one char");
        Assert.AreEqual(text.Length, tokens[^1].End);
        for (int i = 1; i < tokens.Count; i++) Assert.IsTrue(tokens[i].End >= tokens[i - 1].End);
    }

    [TestMethod]
    public void EmbeddingCheckUsesTheFolderTokenizersIds()
    {
        using var dir = new TempDir();
        TinyTokenizerJson.Write(dir.Path);
        var tokenizer = RewardTokenizer.Create(TokenizerSpec.FromFolder(dir.Path));
        tokenizer.EnsureFitsEmbedding(512);
        tokenizer.EnsureFitsEmbedding(400);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => tokenizer.EnsureFitsEmbedding(300)).Message, "302");
    }

    [TestMethod]
    public void CheckpointWithTokenizerJsonUsesIt()
    {
        using var dir = new TempDir();
        TinyTokenizerJson.Write(dir.Path, vocabSize: 100352);
        Assert.AreEqual(TokenizerSpec.FolderKind, TokenizerSpec.ForCheckpoint(dir.Path).Kind);
    }

    [TestMethod]
    public void MissingOrUnsupportedTokenizerJsonFailsWithTheFileName()
    {
        using var dir = new TempDir();
        var missing = Assert.ThrowsExactly<InvalidDataException>(() => RewardTokenizer.Create(TokenizerSpec.FromFolder(dir.Path)));
        StringAssert.Contains(missing.Message, "tokenizer.json");

        File.WriteAllText(Path.Combine(dir.Path, "tokenizer.json"), "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        var unigram = Assert.ThrowsExactly<InvalidDataException>(() => RewardTokenizer.Create(TokenizerSpec.FromFolder(dir.Path)));
        StringAssert.Contains(unigram.Message, "Unigram");

        File.WriteAllText(Path.Combine(dir.Path, "tokenizer.json"), "{not json");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => RewardTokenizer.Create(TokenizerSpec.FromFolder(dir.Path))).Message,
            Path.Combine(dir.Path, "tokenizer.json"));
    }
}
