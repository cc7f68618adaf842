using RewardML.Training;

namespace RewardML.Tests.Training;

[TestClass]
public sealed class BatchPlannerTests
{
    private static int[] Lengths(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(5, 120)).ToArray();
    }

    private static string Show(List<int[]> plan) => string.Join(" | ", plan.Select(b => string.Join(",", b)));

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void EveryRowIsInExactlyOneBatchPerEpoch(bool shuffle)
    {
        var lengths = Lengths(300, 1);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var plan = BatchPlanner.Plan(lengths, batchSize: 0, maxTokens: 500, shuffle, seed: 4, epoch);

            var seen = plan.SelectMany(b => b).Order().ToArray();
            CollectionAssert.AreEqual(Enumerable.Range(0, lengths.Length).ToArray(), seen,
                $"epoch {epoch}, shuffle {shuffle}: {seen.Length} rows planned ({seen.Distinct().Count()} distinct) for {lengths.Length}");
        }
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void TokenBudgetHoldsUnlessABatchIsOneRow(bool shuffle)
    {
        var lengths = Lengths(300, 2).Append(900).ToArray(); // one row longer than the budget
        const int budget = 400;

        var plan = BatchPlanner.Plan(lengths, batchSize: 0, maxTokens: budget, shuffle, seed: 1, epoch: 0);

        foreach (var batch in plan)
        {
            long padded = (long)batch.Length * batch.Max(i => lengths[i]);
            Assert.IsTrue(padded <= budget || batch.Length == 1,
                $"batch [{string.Join(",", batch)}]: {batch.Length} rows × longest {batch.Max(i => lengths[i])} = {padded} > {budget}");
        }
        Assert.IsTrue(plan.Any(b => b.Length > 1), $"no batch holds more than one row: {Show(plan)}");
        Assert.IsTrue(plan.Any(b => b.Length == 1 && lengths[b[0]] == 900), "the row longer than the budget is not alone in its batch");
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void BatchSizeIsHonored(bool shuffle)
    {
        var lengths = Lengths(103, 3);

        var plan = BatchPlanner.Plan(lengths, batchSize: 8, maxTokens: 10, shuffle, seed: 1, epoch: 0);

        Assert.IsTrue(plan.All(b => b.Length is > 0 and <= 8), $"batch sizes: {string.Join(",", plan.Select(b => b.Length))}");
        Assert.IsTrue(plan.Count(b => b.Length == 8) >= 103 / 8 - 1, $"too few full batches: {string.Join(",", plan.Select(b => b.Length))}");
    }

    [TestMethod]
    public void WithoutShuffleRowsKeepTheirInputOrder()
    {
        var lengths = Lengths(50, 4);

        var bySize = BatchPlanner.Plan(lengths, batchSize: 6, maxTokens: 10, shuffle: false, seed: 9, epoch: 1);
        var byBudget = BatchPlanner.Plan(lengths, batchSize: 0, maxTokens: 300, shuffle: false, seed: 9, epoch: 1);

        CollectionAssert.AreEqual(Enumerable.Range(0, 50).ToArray(), bySize.SelectMany(b => b).ToArray(), $"BatchSize plan: {Show(bySize)}");
        CollectionAssert.AreEqual(Enumerable.Range(0, 50).ToArray(), byBudget.SelectMany(b => b).ToArray(), $"token budget plan: {Show(byBudget)}");
    }

    [TestMethod]
    public void SameSeedAndEpochGiveTheSamePlanAndAnotherEpochAnotherOrder()
    {
        var lengths = Lengths(200, 5);

        var first = BatchPlanner.Plan(lengths, batchSize: 4, maxTokens: 10, shuffle: true, seed: 7, epoch: 0);
        var again = BatchPlanner.Plan(lengths, batchSize: 4, maxTokens: 10, shuffle: true, seed: 7, epoch: 0);
        var next = BatchPlanner.Plan(lengths, batchSize: 4, maxTokens: 10, shuffle: true, seed: 7, epoch: 1);

        Assert.AreEqual(Show(first), Show(again), "the same seed and epoch planned differently");
        CollectionAssert.AreNotEqual(first.SelectMany(b => b).ToArray(), next.SelectMany(b => b).ToArray(), "epochs 0 and 1 have the same row order");
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 200).ToArray(), first.SelectMany(b => b).ToArray(), "shuffling kept the input order");
    }
}
