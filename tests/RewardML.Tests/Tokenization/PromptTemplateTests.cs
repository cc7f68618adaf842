using RewardML.Tokenization;

namespace RewardML.Tests.Tokenization;

[TestClass]
public sealed class PromptTemplateTests
{
    [TestMethod]
    public void AppsFormatMatchesTheAppsLayout()
    {
        var standard = RewardText.Create(PromptTemplate.Plain, PromptFormat.Apps, "Sum a and b.", "print(3)", null, false);
        Assert.AreEqual("\nQUESTION:\nSum a and b.\nUse Standard Input format\nANSWER:\nprint(3)", standard.Render("Sum a and b.".Length));

        var callBased = RewardText.Create(PromptTemplate.Plain, PromptFormat.Apps, "Sum a and b.", "    return a + b", "def add(a, b):", true);
        Assert.AreEqual("\nQUESTION:\nSum a and b.\ndef add(a, b):\nUse Call-Based format\nANSWER:\n    return a + b", callBased.Render(12));
        Assert.AreEqual("\nQUESTION:\nSum\ndef add(a, b):\nUse Call-Based format\nANSWER:\n    return a + b", callBased.Render(3));
        Assert.AreEqual("\nQUESTION:\nSum\ndef add(a, b):\nUse Call-Based format\nANSWER:\n".Length, callBased.CodeStart(3));
    }

    [TestMethod]
    public void CustomTemplateWrapsPromptAndCode()
    {
        var template = PromptTemplate.Resolve("### Problem\n{prompt}\n### Solution {x}\n{code}\n### End", RewardTokenizer.Phi4);
        var text = RewardText.Create(template, PromptFormat.Raw, "P", "C", "ignored", true);
        Assert.AreEqual("### Problem\nP\n### Solution {x}\nC\n### End", text.Render(1));
    }

    [TestMethod]
    public void NamedTemplatesResolveAndChatFollowsTheTokenizer()
    {
        Assert.AreSame(PromptTemplate.Plain, PromptTemplate.Resolve("plain", RewardTokenizer.Phi4));
        Assert.AreSame(PromptTemplate.Phi4Chat, PromptTemplate.Resolve("chat", RewardTokenizer.Phi4));
        Assert.AreSame(PromptTemplate.Phi4MiniChat, PromptTemplate.Resolve("chat", RewardTokenizer.Phi4Mini));
        Assert.AreSame(PromptTemplate.Phi4MiniChat, PromptTemplate.Resolve("phi4-mini-chat", RewardTokenizer.Phi4));
    }

    [TestMethod]
    public void MalformedTemplatesAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new PromptTemplate("{prompt} only"));
        Assert.ThrowsExactly<ArgumentException>(() => new PromptTemplate("{code}{prompt}"));
        Assert.ThrowsExactly<ArgumentException>(() => new PromptTemplate("{prompt}{code}{code}"));
        Assert.ThrowsExactly<ArgumentException>(() => PromptTemplate.Resolve("fancy", RewardTokenizer.Phi4));
    }
}
