using RewardML.Rollouts;
using RewardML.Sandbox.Problems;

namespace RewardML.Tests.Rollouts;

[TestClass]
public sealed class AppsPromptTests
{
    [TestMethod]
    public void FollowsTheAppsGenerationFormat()
    {
        var stdin = new AppsProblem("1", "Read n.", [], new AppsTests([], [], null), "", "");
        Assert.AreEqual("\nQUESTION:\nRead n.\nUse Standard Input format\nANSWER:\n", AppsPrompt.Format(stdin));

        var call = new AppsProblem("2", "Add.", [], new AppsTests([], [], "add"), "class Solution:\n    def add(self, a, b):", "");
        Assert.AreEqual("\nQUESTION:\nAdd.\nclass Solution:\n    def add(self, a, b):\nUse Call-Based format\nANSWER:\n", AppsPrompt.Format(call));
    }

    [TestMethod]
    public void RolloutSeedsDependOnRunSeedProblemAndRollout()
    {
        int seed = RolloutSeeds.Derive(1, "7", 3);
        Assert.AreEqual(seed, RolloutSeeds.Derive(1, "7", 3));
        Assert.AreNotEqual(seed, RolloutSeeds.Derive(2, "7", 3));
        Assert.AreNotEqual(seed, RolloutSeeds.Derive(1, "8", 3));
        Assert.AreNotEqual(seed, RolloutSeeds.Derive(1, "7", 4));
        Assert.IsTrue(Enumerable.Range(0, 1000).Select(i => RolloutSeeds.Derive(i, "p", 0)).All(s => s >= 0));
    }
}
