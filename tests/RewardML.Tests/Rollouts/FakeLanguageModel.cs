using System.Text;
using System.Text.RegularExpressions;
using RewardML.Rollouts;

namespace RewardML.Tests.Rollouts;

/// <summary>
/// A deterministic stand-in for a policy model. Each question has a fixed set of full completions; a prompt
/// (the APPS prompt, plus a branch prefix after <c>ANSWER:\n</c>) is continued with one of the completions that start
/// with the prefix, chosen by the seed. Tokens are words, spaces and single symbols; their log-probabilities are a
/// hash of (completion, position), so they differ between tokens but not between runs.
/// </summary>
internal sealed partial class FakeLanguageModel(IReadOnlyDictionary<string, IReadOnlyList<string>> completionsByQuestion)
{
    /// <summary>One sampled answer: text, tokens (text, log-prob, offset in code points from the completion's start), finish reason.</summary>
    public sealed record Answer(string Text, IReadOnlyList<(string Token, double LogProb, int CodePointOffset)> Tokens, string FinishReason);

    public Answer Complete(CompletionRequest request)
    {
        var (question, prefix) = Parse(request.Prompt);
        var matching = completionsByQuestion[question].Where(c => c.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (matching.Count == 0) return new Answer("", [], "stop");
        string full = matching[request.Seed % matching.Count];

        var tokens = new List<(string, double, int)>();
        var text = new StringBuilder();
        int codePoints = 0;
        string finish = "stop";
        int stopAt = int.MaxValue;
        foreach (var stop in request.Stop)
        {
            int at = full.IndexOf(stop, prefix.Length, StringComparison.Ordinal);
            if (at >= 0) stopAt = Math.Min(stopAt, at - prefix.Length);
        }
        int position = 0;
        foreach (Match token in Token().Matches(full[prefix.Length..]))
        {
            if (tokens.Count == request.MaxTokens) { finish = "length"; break; }
            // The tokens that make up a stop string are reported, but the text ends before it (as vLLM does).
            tokens.Add((token.Value, LogProb(full, prefix.Length + position), codePoints));
            if (token.Index + token.Length > stopAt) { text.Append(token.Value[..Math.Max(0, stopAt - token.Index)]); break; }
            text.Append(token.Value);
            codePoints += token.Value.EnumerateRunes().Count();
            position += token.Length;
        }
        return new Answer(text.ToString(), tokens, finish);
    }

    /// <summary>The question between <c>QUESTION:\n</c> and the format hint, and the prefix after <c>ANSWER:\n</c>.</summary>
    private static (string Question, string Prefix) Parse(string prompt)
    {
        int q = prompt.IndexOf("QUESTION:\n", StringComparison.Ordinal) + "QUESTION:\n".Length;
        int hint = prompt.IndexOf("\nUse ", q, StringComparison.Ordinal);
        int answer = prompt.IndexOf("\nANSWER:\n", StringComparison.Ordinal) + "\nANSWER:\n".Length;
        string question = prompt[q..hint];
        int starterNewline = question.IndexOf('\n');
        return (starterNewline < 0 ? question : question[..starterNewline], prompt[answer..]);
    }

    private static double LogProb(string completion, int position)
    {
        uint hash = 2166136261;
        foreach (char c in completion + "#" + position) hash = (hash ^ c) * 16777619;
        return -(hash % 10_000) / 1000.0;
    }

    // Words, runs of spaces, newlines, or one other character (an emoji is one token of two UTF-16 units).
    [GeneratedRegex(@"\w+| +|\n|\p{Cs}{2}|.", RegexOptions.Singleline)]
    private static partial Regex Token();
}

/// <summary>The fake model as an in-process <see cref="ICompletionGenerator"/>; counts and records requests.</summary>
internal sealed class FakeGenerator(FakeLanguageModel model) : ICompletionGenerator
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<CompletionRequest> _requests = new();

    public IReadOnlyCollection<CompletionRequest> Requests => _requests;

    /// <summary>Requests after this many fail (to interrupt a run); null = never.</summary>
    public int? FailAfter { get; set; }

    public Task<Completion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        if (FailAfter is int limit && _requests.Count >= limit) throw new CompletionException("fake backend is down");
        _requests.Enqueue(request);
        var answer = model.Complete(request);
        var map = CodePointOffsetsForTests.ToUtf16Map(answer.Text);
        var tokens = answer.Tokens.Where(t => t.CodePointOffset < map.Length - 1)
            .Select(t => new SampledToken(t.Token, t.LogProb, map[t.CodePointOffset])).ToList();
        return Task.FromResult(new Completion(answer.Text, tokens, answer.FinishReason));
    }
}

/// <summary>Independent code point → UTF-16 mapping for the fakes (the library's own is under test).</summary>
internal static class CodePointOffsetsForTests
{
    public static int[] ToUtf16Map(string text)
    {
        var map = new List<int>();
        for (int i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1) map.Add(i);
        map.Add(text.Length);
        return map.ToArray();
    }
}
