using RewardML.Training;

namespace RewardML.Tests.Training;

[TestClass]
public sealed class ClassBalancingTests
{
    private static RewardExample Row(string? problem, bool label) => new(0, [1, 2, 3], [2], null, label, null, 1f, problem);

    [TestMethod]
    public void OnePassThreeFailsGivesHandComputedFactors()
    {
        var rows = new[] { Row("a", true), Row("a", false), Row("a", false), Row("a", false) };

        var factors = ClassBalancing.Factors(rows);

        Assert.AreEqual(2.0, factors[0], 1e-6, $"pass factor: got {factors[0]}, expected 4/(2·1) = 2");
        for (int i = 1; i < 4; i++)
            Assert.AreEqual(4.0 / 6.0, factors[i], 1e-6, $"fail factor of row {i}: got {factors[i]}, expected 4/(2·3)");
    }

    [TestMethod]
    public void ProblemWhoseProgramsAllPassOrAllFailKeepsWeightOne()
    {
        var rows = new[] { Row("pass", true), Row("pass", true), Row("fail", false), Row("fail", false), Row("fail", false) };

        var factors = ClassBalancing.Factors(rows);

        CollectionAssert.AreEqual(new[] { 1f, 1f, 1f, 1f, 1f }, factors, $"factors: got [{string.Join(", ", factors)}]");
    }

    [TestMethod]
    public void PassesAndFailsCarryEqualTotalAndTheProblemKeepsItsTotal()
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 60).Select(i => Row($"p{i % 7}", random.Next(3) == 0)).ToArray();

        var factors = ClassBalancing.Factors(rows);

        foreach (var group in Enumerable.Range(0, rows.Length).GroupBy(i => rows[i].ProblemId))
        {
            double pass = group.Where(i => rows[i].Label).Sum(i => (double)factors[i]);
            double fail = group.Where(i => !rows[i].Label).Sum(i => (double)factors[i]);
            if (pass == 0 || fail == 0) continue;
            Assert.AreEqual(pass, fail, 1e-4, $"problem {group.Key}: passes carry {pass}, fails {fail}");
            Assert.AreEqual(group.Count(), pass + fail, 1e-4, $"problem {group.Key}: total {pass + fail} for {group.Count()} programs");
        }
    }

    [TestMethod]
    public void RowsWithoutAProblemFormOneGroup()
    {
        var rows = new[] { Row(null, true), Row(null, false), Row(null, false) };

        var factors = ClassBalancing.Factors(rows);

        Assert.AreEqual(1.5, factors[0], 1e-6, $"pass factor: got {factors[0]}, expected 3/(2·1)");
        Assert.AreEqual(0.75, factors[1], 1e-6, $"fail factor: got {factors[1]}, expected 3/(2·2)");
    }
}
