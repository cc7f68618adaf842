using System.Diagnostics;
using RewardML.Sweeps;

namespace RewardML.Tests.Sweeps;

[TestClass]
public sealed class RewardSweepExperimentTests
{
    /// <summary>Scores a parameter with the synthetic objective; optionally sleeps, fails on a condition and counts runs.</summary>
    private sealed class FakeRunner(int sleepMilliseconds = 0, Func<Parameter, bool>? fails = null) : ITrialRunner
    {
        public List<int> Ran { get; } = [];

        public TrialResult Run(TrialSettings settings, CancellationToken cancellationToken)
        {
            Ran.Add(settings.TrialId);
            if (sleepMilliseconds > 0) Thread.Sleep(sleepMilliseconds);
            if (fails?.Invoke(settings.Parameter) == true) throw new InvalidOperationException("out of memory (simulated)");
            double loss = TunerTests.Objective(settings.Parameter);
            return new TrialResult { TrialSettings = settings, Metric = -loss, Loss = loss };
        }
    }

    private static string TempFolder() => Directory.CreateTempSubdirectory("rewardml-sweep-").FullName;

    private static RewardSweepExperiment Experiment(ITrialRunner runner, int seed = 0) => new RewardSweepExperiment()
        .SetSearchSpace(TunerTests.Space()).SetTuner(new TreeParzenTuner(TunerTests.Space(), seed)).SetTrialRunner(runner).SetMetric("score", isMaximize: true);

    [TestMethod]
    public void TimeBudgetIsHonoured()
    {
        var runner = new FakeRunner(sleepMilliseconds: 200);
        var experiment = Experiment(runner).SetTrainingTimeInSeconds(1);
        var watch = Stopwatch.StartNew();
        var result = experiment.Run();
        watch.Stop();
        // Only a gross overrun is the sweep's fault: on a loaded CI machine sleeps and JIT stretch the run by seconds.
        Console.WriteLine($"a 1 s budget with 0.2 s trials: {result.Trials.Count} trials in {watch.Elapsed.TotalSeconds:F2} s");
        Assert.IsTrue(watch.Elapsed.TotalSeconds < 10, $"a 1 s budget with 0.2 s trials took {watch.Elapsed.TotalSeconds:F2} s");
        // Each trial takes at least 0.2 s, so at most 5 start within 1 s (6 with rounding); how few finish depends on the load.
        Assert.IsTrue(result.Trials.Count is >= 1 and <= 6, $"{result.Trials.Count} trials of 0.2 s in 1 s");
        Assert.IsTrue(result.StoppedByTimeBudget, "the result says the budget ended the sweep");
    }

    [TestMethod]
    public void FailingTrialIsRecordedAndTheSweepContinues()
    {
        var runner = new FakeRunner(fails: p => p.GetString("Aggregation") == "Min");
        var space = TunerTests.Space().AddConstraint("WeightDecay < 0.9", p => p.GetDouble("WeightDecay") < 0.9);
        string folder = TempFolder();
        var result = new RewardSweepExperiment().SetSearchSpace(space).SetTuner(new RandomSearchTuner(space, 1)).SetTrialRunner(runner)
            .SetMaxTrials(30).SetCheckpoint(folder).Run();
        Assert.AreEqual(30, result.Trials.Count, "the sweep stopped early");
        var failed = result.Trials.Where(t => !t.IsSuccess).ToList();
        Assert.IsTrue(failed.Any(t => t.Error!.Contains("out of memory")), "no exception was recorded");
        Assert.IsTrue(failed.Any(t => t.Error!.Contains("invalid combination: WeightDecay < 0.9")), "no constraint violation was recorded");
        var rejected = failed.Where(t => t.Error!.Contains("invalid combination")).Select(t => t.TrialSettings.TrialId);
        Assert.IsFalse(rejected.Any(runner.Ran.Contains), "a trial breaking a constraint was run");
        Assert.IsTrue(result.Trials.Count(t => t.IsSuccess) > 10, "successful trials after the failures");
        string csv = File.ReadAllText(Path.Combine(folder, "leaderboard.csv"));
        StringAssert.Contains(csv, "out of memory", "the leaderboard lists the error");
        Assert.IsTrue(File.Exists(Path.Combine(folder, "metric.png")), "the plot is written");
    }

    [TestMethod]
    public void RerunWithTheSameFolderContinuesTheLog()
    {
        string folder = TempFolder();
        var first = new FakeRunner();
        var a = Experiment(first).SetMaxTrials(12).SetCheckpoint(folder).Run();
        Assert.AreEqual(12, File.ReadLines(Path.Combine(folder, "trials.jsonl")).Count(), "one log line per finished trial");
        var second = new FakeRunner();
        var b = Experiment(second).SetMaxTrials(20).SetCheckpoint(folder).Run();
        CollectionAssert.AreEqual(Enumerable.Range(13, 8).ToList(), second.Ran, "the rerun ran other trials than 13..20");
        Assert.AreEqual(12, b.ResumedTrials, "trials read from the log");
        Assert.AreEqual(20, File.ReadLines(Path.Combine(folder, "trials.jsonl")).Count(), "the log was appended");
        // Same proposals as one uninterrupted sweep of 20 (the tuner is replayed).
        var whole = Experiment(new FakeRunner()).SetMaxTrials(20).Run();
        CollectionAssert.AreEqual(whole.Trials.Select(t => t.TrialSettings.Parameter.ToJson()).ToList(),
            b.Trials.Select(t => t.TrialSettings.Parameter.ToJson()).ToList(), "the resumed sweep proposed differently from an uninterrupted one");
        Assert.Throws<InvalidOperationException>(() => Experiment(new FakeRunner(), seed: 5).SetMaxTrials(25).SetCheckpoint(folder).Run(),
            "a sweep with another seed accepted the folder");
    }

    [TestMethod]
    public void GridSweepEndsWhenTheGridIsExhausted()
    {
        var space = new SweepSearchSpace().AddChoice("Aggregation", "Last", "Min").AddBoolean("BalanceClasses");
        var result = new RewardSweepExperiment().SetSearchSpace(space).SetTuner(new GridSearchTuner(space)).SetTrialRunner(new FakeRunner(fails: _ => true))
            .SetMaxTrials(100).Run();
        Assert.AreEqual(4, result.Trials.Count, "2 × 2 grid points");
        Assert.IsNull(result.BestTrial, "no trial succeeded");
    }
}
