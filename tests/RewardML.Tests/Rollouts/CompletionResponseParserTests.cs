using System.Text.Json.Nodes;
using RewardML.Rollouts;

namespace RewardML.Tests.Rollouts;

[TestClass]
public sealed class CompletionResponseParserTests
{
    private static string Response(string text, string[] tokens, double?[] logProbs, int[]? offsets, string? finish = "stop")
    {
        var logprobs = new JsonObject
        {
            ["tokens"] = new JsonArray(tokens.Select(t => (JsonNode)t).ToArray()),
            ["token_logprobs"] = new JsonArray(logProbs.Select(l => l is null ? null : (JsonNode)l.Value).ToArray()),
        };
        if (offsets is not null) logprobs["text_offset"] = new JsonArray(offsets.Select(o => (JsonNode)o).ToArray());
        return new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["text"] = text, ["logprobs"] = logprobs, ["finish_reason"] = finish }) }.ToJsonString();
    }

    [TestMethod]
    public void ConvertsCodePointOffsetsToUtf16SoPrefixesAfterEmojiAreExact()
    {
        // "x = '😀é'\n": the emoji is 1 code point (Python) but 2 UTF-16 units (.NET); offsets after it differ by one.
        string text = "x = '😀é'\nprint(x)";
        string[] tokens = ["x", " =", " '", "😀", "é", "'\n", "print", "(x)"];
        int[] codePoints = [0, 1, 3, 5, 6, 7, 9, 14];
        var completion = CompletionResponseParser.Parse(Response(text, tokens, tokens.Select(_ => (double?)-1).ToArray(), codePoints), "prompt");

        Assert.AreEqual("x = '", completion.PrefixBefore(3));
        Assert.AreEqual("x = '😀", completion.PrefixBefore(4));
        Assert.AreEqual("x = '😀é'\n", completion.PrefixBefore(6));
        for (int i = 0; i < tokens.Length; i++)
            Assert.IsTrue(text[completion.Tokens[i].CharOffset..].StartsWith(tokens[i], StringComparison.Ordinal), $"token {i}");
    }

    [TestMethod]
    public void PartialCharacterTokensBranchAtTheStartOfTheirCharacter()
    {
        // A byte-level tokenizer splits '😀' into two tokens; the server reports both at the character's offset.
        string text = "a😀b";
        var completion = CompletionResponseParser.Parse(Response(text, ["a", "\uFFFD", "😀", "b"], [-1, -2, -3, -4], [0, 1, 1, 2]), "p");
        Assert.AreEqual("a", completion.PrefixBefore(1));
        Assert.AreEqual("a", completion.PrefixBefore(2));
        Assert.AreEqual("a😀", completion.PrefixBefore(3));
    }

    [TestMethod]
    public void OffsetsCountedFromThePromptStartAreShifted()
    {
        string prompt = "Q: 😀?\nA:"; // 8 code points, 9 UTF-16 units
        var completion = CompletionResponseParser.Parse(Response(" yes no", [" yes", " no"], [-1, -2], [8, 12]), prompt);
        Assert.AreEqual(" yes", completion.PrefixBefore(1));
        Assert.AreEqual(0, completion.Tokens[0].CharOffset);
    }

    [TestMethod]
    public void WithoutTextOffsetTheTokensMustSpellTheText()
    {
        var completion = CompletionResponseParser.Parse(Response("é😀x", ["é", "😀", "x"], [-1, -2, -3], offsets: null), "p");
        CollectionAssert.AreEqual(new[] { 0, 1, 3 }, completion.Tokens.Select(t => t.CharOffset).ToArray());

        var e = Assert.ThrowsExactly<FormatException>(() => CompletionResponseParser.Parse(Response("abc", ["a", "z"], [-1, -2], offsets: null), "p"));
        StringAssert.Contains(e.Message, "do not spell");
    }

    [TestMethod]
    public void ReadsThePerTokenContentLayout()
    {
        string body = """{"choices":[{"text":"ab","finish_reason":"length","logprobs":{"content":[{"token":"a","logprob":-0.5},{"token":"b","logprob":-1.5}]}}]}""";
        var completion = CompletionResponseParser.Parse(body, "p");
        Assert.AreEqual("length", completion.FinishReason);
        CollectionAssert.AreEqual(new[] { -0.5, -1.5 }, completion.Tokens.Select(t => t.LogProb).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1 }, completion.Tokens.Select(t => t.CharOffset).ToArray());
    }

    [TestMethod]
    public void DropsStopStringTokensPastTheTextAndKeepsNullLogProbsAsNaN()
    {
        var completion = CompletionResponseParser.Parse(Response("ab", ["a", "b", "\n", "QUESTION"], [null, -1, -2, -3], [0, 1, 2, 3]), "p");
        Assert.HasCount(2, completion.Tokens);
        Assert.IsTrue(double.IsNaN(completion.Tokens[0].LogProb));
    }

    [TestMethod]
    [DataRow("not json", "not JSON")]
    [DataRow("""{"object":"error"}""", "no 'choices'")]
    [DataRow("""{"choices":[]}""", "no 'choices'")]
    [DataRow("""{"choices":[{"logprobs":null}]}""", "choices[0].text")]
    [DataRow("""{"choices":[{"text":"a","logprobs":null}]}""", "logprobs is missing")]
    [DataRow("""{"choices":[{"text":"a","logprobs":{"tokens":["a"]}}]}""", "token_logprobs")]
    [DataRow("""{"choices":[{"text":"ab","logprobs":{"tokens":["a","b"],"token_logprobs":[-1]}}]}""", "2 tokens but 1 token_logprobs")]
    [DataRow("""{"choices":[{"text":"ab","logprobs":{"tokens":["a","b"],"token_logprobs":[-1,"x"]}}]}""", "token_logprobs[1] is not a number")]
    [DataRow("""{"choices":[{"text":"ab","logprobs":{"tokens":["a","b"],"token_logprobs":[-1,-1],"text_offset":[0,5,1]}}]}""", "2 tokens but 3 text_offset")]
    [DataRow("""{"choices":[{"text":"abc","logprobs":{"tokens":["a","b"],"token_logprobs":[-1,-1],"text_offset":[0,-1]}}]}""", "goes backwards")]
    [DataRow("""{"choices":[{"text":"abc","logprobs":{"tokens":["a","b"],"token_logprobs":[-1,-1],"text_offset":[7,8]}}]}""", "expected 0 or the prompt length")]
    public void MalformedResponsesNameWhatIsWrong(string body, string expected)
    {
        var e = Assert.ThrowsExactly<FormatException>(() => CompletionResponseParser.Parse(body, "prompt"));
        StringAssert.Contains(e.Message, expected);
    }
}
