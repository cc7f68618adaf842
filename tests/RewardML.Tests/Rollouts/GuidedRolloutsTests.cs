using RewardML.Modeling;
using RewardML.Rollouts;
using RewardML.Rollouts.Guidance;
using RewardML.Sandbox.Problems;
using RewardML.Tests.Shared;
using RewardML.Tests.Tokenization;
using RewardML.Tokenization;

namespace RewardML.Tests.Rollouts;

[TestClass]
public sealed class GuidedRolloutsTests
{
    private const float Tau = 0.75f;

    /// <summary>Completions the fake model picks from: some go "bad" at line 2 or 3, some never.</summary>
    private static readonly AppsProblem Sum = new("21", "Sum the numbers.", [], new AppsTests([], [], null), "", "introductory");
    private static readonly AppsProblem Max = new("22", "Print the largest number.", [], new AppsTests([], [], null), "", "introductory");

    private static FakeLanguageModel Model() => new(new Dictionary<string, IReadOnlyList<string>>
    {
        [Sum.Question] =
        [
            "a = list(map(int, input().split()))\ns = bad(a)\nprint(s)\n",
            "a = list(map(int, input().split()))\ns = sum(a)\nprint(s)\n",
            "a = list(map(int, input().split()))\ns = sum(a)\nprint(bad)\n",
            "a = input().split()\ns = 0\nfor x in a:\n    s += int(x)\nprint(s)\n",
        ],
        [Max.Question] =
        [
            "a = list(map(int, input().split()))\nprint(max(a))\n",
            "a = bad\nprint(a)\n",
            "a = list(map(int, input().split()))\nm = a[0]\nfor x in a:\n    m = bad\nprint(m)\n",
        ],
    });

    private static BranchingRollouts.Options Options(IValueGuide guide, double? tau = Tau, int chunk = 3) => new()
    {
        BranchPoints = 2, RolloutsPerBranch = 2, Temperature = 0.8, TopP = 0.95, MaxTokens = 120, MinBranchDistance = 1, Seed = 4, Parallelism = 3,
        Guidance = new GuidanceOptions { Guide = guide, StopBelow = tau, ChunkTokens = chunk },
    };

    private static string NewPath() => Path.Combine(Directory.CreateTempSubdirectory("guided-").FullName, "rollouts.jsonl");

    [TestMethod]
    public async Task ARolloutStopsAtTheFirstStepTheGuideValuesBelowTau()
    {
        var guide = new FakeValueGuide();
        string path = NewPath();
        var result = await new BranchingRollouts(new FakeGenerator(Model()), Options(guide)).RunAsync([Sum, Max], path);
        Assert.IsEmpty(result.Failures);
        var rollouts = RolloutFile.Read(path).Rollouts;
        Assert.IsGreaterThan(0, rollouts.Count(r => r.Guide!.StoppedAtStep is not null), "the data has rollouts that go bad");
        Assert.IsGreaterThan(0, rollouts.Count(r => r.Guide!.StoppedAtStep is null), "and rollouts that do not");

        foreach (var r in rollouts)
        {
            var g = r.Guide!;
            string code = ProgramExtractor.Extract(r.Completion).Code;
            Assert.AreEqual(g.StepValues.Count, g.StepEnds.Count);
            // Every recorded value is the guide's own number for that prefix.
            for (int i = 0; i < g.StepEnds.Count; i++)
                Assert.AreEqual(FakeValueGuide.ValueAt(code, g.StepEnds[i]), g.StepValues[i], $"rollout {r.RolloutId} step {i}");
            bool finished = g.StoppedAtStep is null;
            int expected = Enumerable.Range(0, g.StepValues.Count)
                .FirstOrDefault(i => g.StepValues[i] < Tau && !(finished && i == g.StepValues.Count - 1), -1);
            Assert.AreEqual(expected < 0 ? null : expected, g.StoppedAtStep, $"rollout {r.RolloutId}: stops exactly at the first step below τ");
            if (g.StoppedAtStep is int stop)
            {
                Assert.AreEqual(g.StepValues.Count - 1, stop, "nothing is valued after the stop");
                Assert.AreEqual(GuidedRollout.GuideStopReason, r.FinishReason);
                Assert.AreEqual(r.MaxTokens - g.TokensGenerated, g.TokensNotGenerated, "the budget left is recorded");
                Assert.IsGreaterThan(0, g.TokensNotGenerated);
            }
            else
            {
                Assert.AreEqual(0, g.TokensNotGenerated);
                CollectionAssert.AreEqual(new FakeValueGuide().StepEnds(code).ToList(), g.StepEnds.ToList(), "a finished rollout has every step valued");
            }
            // Each forward pass valued at least one new step: no prefix was scored twice.
            Assert.IsLessThanOrEqualTo(g.StepValues.Count, g.ForwardPasses);
        }
        Assert.AreEqual(rollouts.Sum(r => r.Guide!.ForwardPasses), guide.Rows.Count, "every guide call is accounted for");
        Assert.AreEqual(rollouts.Count(r => r.Guide!.StoppedAtStep is not null), result.Guide!.Stopped);
    }

    [TestMethod]
    public async Task WithoutTauEveryRolloutRunsToItsEndWithItsValuesRecorded()
    {
        string path = NewPath();
        await new BranchingRollouts(new FakeGenerator(Model()), Options(new FakeValueGuide(), tau: null)).RunAsync([Sum], path);
        var rollouts = RolloutFile.Read(path).Rollouts;
        Assert.IsTrue(rollouts.All(r => r.Guide!.StoppedAtStep is null && r.FinishReason != GuidedRollout.GuideStopReason));
        Assert.IsTrue(rollouts.Any(r => r.Guide!.StepValues.Any(v => v < Tau)), "low values are recorded, not acted on");
    }

    [TestMethod]
    public async Task ResumeAfterAnInterruptionGivesTheSameRollouts()
    {
        string whole = NewPath(), resumed = NewPath();
        await new BranchingRollouts(new FakeGenerator(Model()), Options(new FakeValueGuide())).RunAsync([Sum, Max], whole);

        var failing = new FakeGenerator(Model()) { FailAfter = 9 };
        var first = await new BranchingRollouts(failing, Options(new FakeValueGuide())).RunAsync([Sum, Max], resumed);
        Assert.IsNotEmpty(first.Failures, "the first run was cut short");
        await new BranchingRollouts(new FakeGenerator(Model()), Options(new FakeValueGuide())).RunAsync([Sum, Max], resumed);
        Assert.AreEqual(File.ReadAllText(whole), File.ReadAllText(resumed));
    }

    private static ValueBeamSearch.Options Beam(IValueGuide guide, List<BeamDepth> depths, int width = 2, int expand = 3) => new()
    {
        BeamWidth = width, Expand = expand, Temperature = 0.8, TopP = 0.95, MaxTokens = 120, Seed = 9, Parallelism = 2,
        Guidance = new GuidanceOptions { Guide = guide, ChunkTokens = 4 },
        OnDepth = d => { lock (depths) depths.Add(d); },
    };

    [TestMethod]
    public async Task BeamSearchKeepsTheBestValuedPrefixesAtEachStep()
    {
        var depths = new List<BeamDepth>();
        string path = NewPath();
        await new ValueBeamSearch(new FakeGenerator(Model()), Beam(new FakeValueGuide(), depths)).RunAsync([Sum, Max], path);
        foreach (var problem in new[] { Sum, Max })
        {
            var mine = depths.Where(d => d.ProblemId == problem.ProblemId).OrderBy(d => d.Depth).ToList();
            Assert.IsNotEmpty(mine);
            int finished = 0;
            foreach (var d in mine)
            {
                foreach (var c in d.Candidates)
                    Assert.AreEqual(FakeValueGuide.ValueAt(c.Code, FakeValueGuide.LastStepEnd(c.Code, c.Finished)), c.Value, $"depth {d.Depth}: '{c.Code}'");
                finished += d.Candidates.Count(c => c.Finished);
                var expected = d.Candidates.Select((c, i) => (c, i)).Where(x => !x.c.Finished)
                    .OrderByDescending(x => x.c.Value).Take(Math.Max(0, 2 - finished)).Select(x => x.i).ToList();
                CollectionAssert.AreEqual(expected, d.Kept.ToList(), $"problem {problem.ProblemId} depth {d.Depth}: the {2 - finished} best unfinished prefixes");
            }
            var programs = RolloutFile.Read(path).Rollouts.Where(r => r.ProblemId == problem.ProblemId).ToList();
            Assert.HasCount(2, programs, "B programs");
            Assert.IsTrue(programs.All(p => p.Search == "beam" && p.Guide is not null));
            var values = programs.Select(p => p.Guide!.StepValues[^1]).ToList();
            CollectionAssert.AreEqual(values.OrderByDescending(v => v).ToList(), values, "best value first");
        }
    }

    [TestMethod]
    public async Task BeamSearchIsReproducibleAndResumesByProblem()
    {
        string once = NewPath(), twice = NewPath();
        await new ValueBeamSearch(new FakeGenerator(Model()), Beam(new FakeValueGuide(), [])).RunAsync([Sum, Max], once);
        await new ValueBeamSearch(new FakeGenerator(Model()), Beam(new FakeValueGuide(), [])).RunAsync([Sum], twice);
        var resumed = await new ValueBeamSearch(new FakeGenerator(Model()), Beam(new FakeValueGuide(), [])).RunAsync([Sum, Max], twice);
        Assert.AreEqual(2, resumed.Reused, "the finished problem is kept");
        Assert.AreEqual(File.ReadAllText(once), File.ReadAllText(twice));
    }

    [TestMethod]
    public async Task TheInProcessPhiGeneratorIsGuidedChunkByChunk()
    {
        // The tiny fixture (vocab 512) with a fitting byte-level tokenizer, sampled in process under the fake guide.
        string fixture = SharedFixtures.Require("fixtures/phi4-tiny/fp32");
        string checkpoint = Directory.CreateTempSubdirectory("guided-phi-").FullName;
        TinyTokenizerJson.Write(checkpoint);
        foreach (string file in Directory.GetFiles(fixture)) File.Copy(file, Path.Combine(checkpoint, Path.GetFileName(file)), overwrite: true);
        using var model = PhiCheckpoint.Load(checkpoint);
        var backend = new PhiCompletionGenerator(new PhiGenerator(model), RewardTokenizer.Create(TokenizerSpec.FromFolder(checkpoint)).Inner);
        var guide = new FakeValueGuide();
        var options = new BranchingRollouts.Options
        {
            BranchPoints = 1, RolloutsPerBranch = 1, MaxTokens = 24, MinBranchDistance = 1, Temperature = 1, TopP = 1, Seed = 2, Parallelism = 1,
            Guidance = new GuidanceOptions { Guide = guide, ChunkTokens = 5 },
        };
        string path = NewPath();
        var result = await new BranchingRollouts(backend, options).RunAsync([Sum], path);
        Assert.IsEmpty(result.Failures);
        var rollouts = RolloutFile.Read(path).Rollouts;
        Assert.IsNotEmpty(rollouts);
        foreach (var r in rollouts)
            Assert.IsLessThanOrEqualTo(r.MaxTokens, r.Guide!.TokensGenerated, "the budget holds across chunks");
        Assert.IsTrue(rollouts.Any(r => r.Guide!.TokensGenerated > 5), "some rollout took more than one request");
        // Every guide call is recorded on a rollout.
        Assert.AreEqual(rollouts.Sum(r => r.Guide!.ForwardPasses), guide.Rows.Count);
    }
}
