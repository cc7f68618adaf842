using RewardML.Rollouts;
using RewardML.Sandbox.Problems;

namespace RewardML.Tests.Rollouts;

/// <summary>Two small problems and the fake model's completions for them.</summary>
internal static class RolloutTestData
{
    public static readonly AppsProblem Doubling = new(
        "7", "Double the number.",
        ["print(int(input()) * 2)", "n = int(input())\nprint(n * 2)"],
        new AppsTests([], [], null), "", "introductory");

    /// <summary>Call-based, and the fake model never solves it: a cold-start problem.</summary>
    public static readonly AppsProblem Adding = new(
        "12", "Add two numbers.",
        ["class Solution:\n    def add(self, a, b):\n        return a + b"],
        new AppsTests([], [], "add"), "class Solution:\n    def add(self, a, b):", "interview");

    public static readonly IReadOnlyList<AppsProblem> Problems = [Doubling, Adding];

    public static FakeLanguageModel Model() => new(new Dictionary<string, IReadOnlyList<string>>
    {
        [Doubling.Question] =
        [
            "```python\nprint(int(input()) * 2)\n```\nThis doubles the number.",
            "```python\nprint(int(input()) + 2)\n```",
            "```python\nn = int(input())\nprint(n * 2)\n```",
            "```python\nn = int(input())\nprint(n ** 2)  # é😀\n```",
            "```python\nprint(\"é😀\", int(input()))\n```",
        ],
        [Adding.Question] =
        [
            "class Solution:\n    def add(self, a, b):\n        return a - b\n",
            "class Solution:\n    def add(self, a, b):\n        return a * b\n\nThe code multiplies.",
            "```python\nclass Solution:\n    def add(self, a, b):\n        return b - a\n```",
        ],
    });

    public static BranchingRollouts.Options Options(int seed = 1, int parallelism = 3) => new()
    {
        BranchPoints = 3,
        RolloutsPerBranch = 2,
        Temperature = 0.8,
        TopP = 0.95,
        MaxTokens = 200,
        MinBranchDistance = 2,
        Seed = seed,
        Parallelism = parallelism,
    };
}
