using System.Text.Json;
using RewardML.Tests.Cli;

namespace RewardML.Tests.Examples;

/// <summary>
/// Every <c>```csharp</c> snippet of README.md and docs/*.md compiles as a user's console program and runs on tiny data
/// (a working folder with <c>rollouts.jsonl</c>, <c>scored.jsonl</c> and a tiny <c>reward.zip</c>), unless a marker on
/// the line before its fence says <c>compile-only (why)</c> (a Phi-4 checkpoint or a GPU) or <c>not-compiled (why)</c>.
/// </summary>
[TestClass]
public sealed class DocSnippetTests
{
    public static IEnumerable<object[]> Snippets => DocSnippets.All().Select(s => new object[] { s });

    public static string Name(System.Reflection.MethodInfo _, object[] data) => data[0].ToString()!;

    [TestMethod]
    [DoNotParallelize] // runs with the snippet's folder as the working directory
    [DynamicData(nameof(Snippets), DynamicDataDisplayName = nameof(Name))]
    public void SnippetCompilesAndRunsOnTinyData(DocSnippet snippet)
    {
        if (snippet.Check != SnippetCheck.Run)
            Assert.IsFalse(string.IsNullOrWhiteSpace(snippet.Reason), $"{snippet}: a {snippet.Check} marker says why");
        if (snippet.Check == SnippetCheck.NotCompiled) return;
        var assembly = DocSnippets.Compile(snippet);
        if (snippet.Check == SnippetCheck.CompileOnly) return;
        string folder = PrepareFolder();
        try
        {
            DocSnippets.Run(assembly, folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void TheDocsHaveSnippetsAndMostRun()
    {
        var all = DocSnippets.All();
        Assert.IsGreaterThanOrEqualTo(10, all.Count, "the extractor finds the docs' snippets: " + string.Join(", ", all));
        Assert.IsTrue(all.Any(s => s.File == "README.md" && s.Check == SnippetCheck.Run && s.Code.Contains("RewardHead(")), "the README's ML.NET pipeline runs, trainer included");
        Assert.IsLessThanOrEqualTo(all.Count / 4, all.Count(s => s.Check == SnippetCheck.NotCompiled), "snippets are programs, not illustrations: " + string.Join(", ", all.Where(s => s.Check == SnippetCheck.NotCompiled)));
    }

    /// <summary>A fresh working folder: rollouts.jsonl (10 problems, one passing and one failing program each), scored.jsonl, reward.zip.</summary>
    public static string PrepareFolder()
    {
        string folder = Directory.CreateTempSubdirectory("snippet-").FullName;
        File.WriteAllLines(Path.Combine(folder, "rollouts.jsonl"), Enumerable.Range(0, 10).SelectMany(p => new[]
        {
            JsonSerializer.Serialize(new { problem_id = $"p{p}", prompt = $"Read n and print n + {p}.", code = $"n = int(input())\nprint(n + {p})\n", label = true }),
            JsonSerializer.Serialize(new { problem_id = $"p{p}", prompt = $"Read n and print n + {p}.", code = $"n = int(input())\nprint(n - {p})\n", label = false }),
        }));
        var random = new Random(0);
        File.WriteAllLines(Path.Combine(folder, "scored.jsonl"), Enumerable.Range(0, 60).Select(i =>
        {
            bool label = random.NextDouble() < 0.4;
            double score = (label ? 0.8 : -0.8) + random.NextDouble() * 2 - 1;
            return JsonSerializer.Serialize(new { problem_id = $"p{i / 12}", candidate_id = $"c{i % 12}", label, Score = score, Probability = 1 / (1 + Math.Exp(-score)) });
        }));
        File.Copy(ScoringModel.Path, Path.Combine(folder, "reward.zip"));
        return folder;
    }
}
