using RewardML.Rollouts;
using RewardML.Sandbox.Labelling;

namespace RewardML.Tests.Rollouts;

[TestClass]
public sealed class BranchingRolloutsTests
{
    private readonly List<DirectoryInfo> _directories = [];

    private string NewPath(string name)
    {
        var directory = Directory.CreateTempSubdirectory("rollouts-");
        _directories.Add(directory);
        return Path.Combine(directory.FullName, name);
    }

    [TestCleanup]
    public void DeleteFiles()
    {
        foreach (var directory in _directories) directory.Delete(recursive: true);
    }

    private static async Task<RolloutRunResult> Run(ICompletionGenerator generator, string path, BranchingRollouts.Options? options = null, FakeJudge? judge = null) =>
        await new BranchingRollouts(generator, options ?? RolloutTestData.Options(), judge).RunAsync(RolloutTestData.Problems, path);

    [TestMethod]
    public async Task EachProblemGetsAMainRolloutAndMRolloutsFromEachOfKBranchPoints()
    {
        var generator = new FakeGenerator(RolloutTestData.Model());
        string path = NewPath("rollouts.jsonl");
        var result = await Run(generator, path);
        var (rows, bad) = RolloutFile.Read(path);
        Assert.IsEmpty(bad);
        Assert.IsEmpty(result.Failures);

        foreach (var problem in RolloutTestData.Problems)
        {
            var mine = rows.Where(r => r.ProblemId == problem.ProblemId).ToList();
            var main = mine.Single(r => r.RolloutId == 0);
            Assert.IsNull(main.ParentId);
            Assert.IsNull(main.BranchTokenIndex);
            Assert.HasCount(3, main.BranchPoints!);
            CollectionAssert.AreEqual(Enumerable.Range(0, 1 + 3 * 2).ToArray(), mine.Select(r => r.RolloutId).ToArray(), "canonical order: rollout id");
            CollectionAssert.AreEqual(mine.Select(r => r.RolloutId).ToArray(), mine.Select(r => r.CandidateId).ToArray());

            string prompt = AppsPrompt.Format(problem);
            foreach (var branch in mine.Where(r => r.RolloutId > 0))
            {
                Assert.AreEqual(0, branch.ParentId);
                var point = main.BranchPoints!.Single(p => p.TokenIndex == branch.BranchTokenIndex);
                Assert.AreEqual(point.CharOffset, branch.BranchCharOffset);
                string prefix = main.Completion[..point.CharOffset];
                StringAssert.StartsWith(branch.Completion, prefix, StringComparison.Ordinal);
                Assert.AreEqual(200 - point.TokenIndex, branch.MaxTokens, "a branch's budget excludes its prefix tokens");
                Assert.IsTrue(generator.Requests.Any(q => q.Prompt == prompt + prefix && q.Seed == branch.Seed), "branch sampled from prompt + prefix");
            }
            // The K branch points are the lowest-probability tokens of the main rollout's program, spread apart.
            AssertLowestProbabilityBranchPoints(generator, prompt, main, RolloutTestData.Options());
        }
        Assert.AreEqual(2 * 7, result.Generated);
        Assert.AreEqual(0, result.Reused);
    }

    [TestMethod]
    public async Task WithAWideMinimumDistanceCloseLowPointsArePassedOverForTheNextLowest()
    {
        var generator = new FakeGenerator(RolloutTestData.Model());
        var options = new BranchingRollouts.Options
        {
            BranchPoints = 3, RolloutsPerBranch = 1, MaxTokens = 200, MinBranchDistance = 8, Seed = 1, Parallelism = 2,
        };
        string path = NewPath("rollouts.jsonl");
        await new BranchingRollouts(generator, options).RunAsync(RolloutTestData.Problems, path);
        int passedOver = 0;
        foreach (var problem in RolloutTestData.Problems)
        {
            var main = RolloutFile.Read(path).Rollouts.Single(r => r.ProblemId == problem.ProblemId && r.RolloutId == 0);
            passedOver += AssertLowestProbabilityBranchPoints(generator, AppsPrompt.Format(problem), main, options);
        }
        Assert.IsGreaterThan(0, passedOver, "the test data must make the distance rule pass over some low token");
    }

    /// <summary>
    /// The main rollout's branch points are its K lowest-log-prob tokens as the model reported them, where a token
    /// closer than the minimum distance to a lower one (earlier on ties) already chosen is passed over, and only
    /// tokens inside the program count. Checked against the fake model's own tokens, not the selector's output: each
    /// chosen point is such a token with its log-prob and offset, no two are closer than the distance, and every
    /// program token left out is either within the distance of a chosen one ranked before it, or (when K were
    /// chosen) ranked after all of them. Returns how many tokens ranked before the last chosen one were passed over.
    /// </summary>
    private static int AssertLowestProbabilityBranchPoints(FakeGenerator generator, string prompt, RolloutRecord main, BranchingRollouts.Options options)
    {
        var request = generator.Requests.Single(q => q.Prompt == prompt && q.Seed == main.Seed);
        var answer = RolloutTestData.Model().Complete(request);
        Assert.AreEqual(main.Completion, answer.Text);
        var utf16 = CodePointOffsetsForTests.ToUtf16Map(answer.Text);
        int programEnd = ProgramExtractor.Extract(answer.Text).End;
        var eligible = answer.Tokens
            .Select((t, i) => (Index: i, t.LogProb, Offset: t.CodePointOffset < utf16.Length ? utf16[t.CodePointOffset] : int.MaxValue))
            .Where(t => t.Offset < programEnd).ToList();
        var chosen = main.BranchPoints!;
        string describe = "chosen " + string.Join(", ", chosen.Select(p => $"#{p.TokenIndex} {p.LogProb}")) +
                          "; program tokens by log-prob " + string.Join(", ", eligible.OrderBy(t => t.LogProb).Select(t => $"#{t.Index} {t.LogProb}"));

        Assert.IsNotEmpty(chosen, describe);
        Assert.IsLessThanOrEqualTo(options.BranchPoints, chosen.Count, describe);
        CollectionAssert.AreEqual(chosen.Select(p => p.TokenIndex).Order().ToArray(), chosen.Select(p => p.TokenIndex).ToArray(), "in token order");
        foreach (var point in chosen)
        {
            Assert.IsTrue(eligible.Any(t => t.Index == point.TokenIndex), $"#{point.TokenIndex} is not a token of the program; {describe}");
            var token = eligible.Single(t => t.Index == point.TokenIndex);
            Assert.AreEqual(token.LogProb, point.LogProb, describe);
            Assert.AreEqual(token.Offset, point.CharOffset, describe);
        }
        foreach (var a in chosen)
            foreach (var b in chosen.Where(b => b.TokenIndex > a.TokenIndex))
                Assert.IsGreaterThanOrEqualTo(options.MinBranchDistance, b.TokenIndex - a.TokenIndex, $"#{a.TokenIndex} and #{b.TokenIndex} too close; {describe}");

        static bool RanksBefore((int Index, double LogProb) x, (int Index, double LogProb) y) =>
            x.LogProb < y.LogProb || (x.LogProb == y.LogProb && x.Index < y.Index);
        var worstChosen = chosen.Select(p => (p.TokenIndex, p.LogProb)).Aggregate((x, y) => RanksBefore(x, y) ? y : x);
        int passedOver = 0;
        foreach (var left in eligible.Where(t => chosen.All(p => p.TokenIndex != t.Index)))
        {
            bool blocked = chosen.Any(p => RanksBefore((p.TokenIndex, p.LogProb), (left.Index, left.LogProb)) &&
                                           (Math.Abs(p.TokenIndex - left.Index) < options.MinBranchDistance || p.CharOffset == left.Offset));
            bool rankedAfterAll = chosen.Count == options.BranchPoints && RanksBefore(worstChosen, (left.Index, left.LogProb));
            Assert.IsTrue(blocked || rankedAfterAll,
                $"#{left.Index} ({left.LogProb}) was left out, yet is not within {options.MinBranchDistance} tokens of a lower chosen point " +
                $"and K = {options.BranchPoints} lower ones were not chosen; {describe}");
            if (!rankedAfterAll) passedOver++;
        }
        return passedOver;
    }

    [TestMethod]
    public async Task ACustomPromptBuilderIsUsedAndRepeatedProblemsAreSampledOnce()
    {
        var generator = new FakeGenerator(RolloutTestData.Model());
        var options = new BranchingRollouts.Options
        {
            BranchPoints = 1, RolloutsPerBranch = 1, Seed = 1,
            Prompt = p => $"\nQUESTION:\n{p.Question}\nUse Standard Input format\nANSWER:\n```python\n",
        };
        string path = NewPath("rollouts.jsonl");
        var result = await new BranchingRollouts(generator, options).RunAsync([RolloutTestData.Doubling, RolloutTestData.Doubling], path);
        Assert.AreEqual(2, result.Generated);
        Assert.IsTrue(generator.Requests.All(r => r.Prompt.StartsWith("\nQUESTION:\nDouble the number.\nUse Standard Input format\nANSWER:\n```python\n", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task ProgramsAreExtractedFromPrefixPlusContinuation()
    {
        string path = NewPath("rollouts.jsonl");
        await Run(new FakeGenerator(RolloutTestData.Model()), path);
        foreach (var row in RolloutFile.Read(path).Rollouts)
        {
            Assert.AreEqual(ProgramExtractor.Extract(row.Completion).Code, row.Code);
            Assert.DoesNotContain("```", row.Code);
            Assert.DoesNotContain("This doubles", row.Code);
            Assert.DoesNotContain("The code multiplies", row.Code);
        }
    }

    [TestMethod]
    public async Task SameSeedGivesAnIdenticalFileWhateverTheParallelism()
    {
        string first = NewPath("a.jsonl"), second = NewPath("b.jsonl"), other = NewPath("c.jsonl");
        var judge = new FakeJudge();
        await Run(new FakeGenerator(RolloutTestData.Model()), first, RolloutTestData.Options(seed: 5, parallelism: 1), judge);
        await Run(new FakeGenerator(RolloutTestData.Model()), second, RolloutTestData.Options(seed: 5, parallelism: 4), judge);
        await Run(new FakeGenerator(RolloutTestData.Model()), other, RolloutTestData.Options(seed: 6), judge);

        Assert.AreEqual(File.ReadAllText(first), File.ReadAllText(second));
        var seedsA = RolloutFile.Read(first).Rollouts.Select(r => r.Seed).ToList();
        var seedsC = RolloutFile.Read(other).Rollouts.Select(r => r.Seed).ToList();
        Assert.HasCount(seedsA.Count, seedsA.Distinct(), "every rollout has its own seed");
        Assert.IsFalse(seedsA.Intersect(seedsC).Any(), "another run seed gives other rollout seeds");
    }

    [TestMethod]
    public async Task TheHttpBackendGivesTheSameFileAsTheInProcessFake()
    {
        // End to end through HttpClient and the response parser, offsets in code points counted from the prompt start.
        using var server = new FakeCompletionsServer(RolloutTestData.Model()) { OffsetsFromPromptStart = true };
        using var client = new OpenAiCompletionsGenerator(new() { BaseUrl = server.BaseUrl, Model = "fake", RetryDelay = TimeSpan.FromMilliseconds(1) });
        string viaHttp = NewPath("http.jsonl"), inProcess = NewPath("fake.jsonl");
        await Run(client, viaHttp, judge: new FakeJudge());
        await Run(new FakeGenerator(RolloutTestData.Model()), inProcess, judge: new FakeJudge());
        Assert.AreEqual(File.ReadAllText(inProcess), File.ReadAllText(viaHttp));
        Assert.AreEqual(14, server.RequestCount);
    }

    [TestMethod]
    public async Task AnInterruptedRunResumesToTheSameFileWithoutResampling()
    {
        string reference = NewPath("reference.jsonl"), resumed = NewPath("resumed.jsonl");
        await Run(new FakeGenerator(RolloutTestData.Model()), reference, judge: new FakeJudge());

        var failing = new FakeGenerator(RolloutTestData.Model()) { FailAfter = 5 };
        var partial = await Run(failing, resumed, RolloutTestData.Options(parallelism: 1), new FakeJudge());
        Assert.AreEqual(5, partial.Generated);
        Assert.IsNotEmpty(partial.Failures);
        StringAssert.Contains(partial.Failures[0], "fake backend is down");

        // Also cut the last line in half, as a kill during a write would.
        string text = File.ReadAllText(resumed);
        File.WriteAllText(resumed, text[..(text.TrimEnd('\n').LastIndexOf('\n') + 30)]);

        var healthy = new FakeGenerator(RolloutTestData.Model());
        var judge = new FakeJudge();
        var result = await Run(healthy, resumed, judge: judge);
        Assert.HasCount(1, result.BadLines);
        StringAssert.Contains(result.BadLines[0], "line 5");
        Assert.AreEqual(4, result.Reused);
        Assert.AreEqual(14 - 4, healthy.Requests.Count, "only the missing rollouts are sampled");
        Assert.AreEqual(14 - 4, judge.Calls, "only the new rollouts are judged");
        Assert.IsEmpty(result.Failures);
        Assert.AreEqual(File.ReadAllText(reference), File.ReadAllText(resumed));

        var again = new FakeGenerator(RolloutTestData.Model());
        var noop = await Run(again, resumed, judge: new FakeJudge());
        Assert.IsEmpty(again.Requests);
        Assert.AreEqual(14, noop.Reused);
        Assert.AreEqual(File.ReadAllText(reference), File.ReadAllText(resumed));
    }

    [TestMethod]
    public async Task ResumingWithOtherSamplingSettingsIsRefused()
    {
        string path = NewPath("rollouts.jsonl");
        await Run(new FakeGenerator(RolloutTestData.Model()), path);
        var e = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => Run(new FakeGenerator(RolloutTestData.Model()), path, RolloutTestData.Options(seed: 99)));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "other settings");
    }

    [TestMethod]
    public async Task JudgedRunsCarryLabelsPrefixValuesWeightsAndTheColdStartReport()
    {
        string path = NewPath("rollouts.jsonl");
        var result = await Run(new FakeGenerator(RolloutTestData.Model()), path, judge: new FakeJudge());
        var rows = RolloutFile.Read(path).Rollouts;
        Assert.IsTrue(rows.All(r => r.Label is not null && r.Weight is not null));
        foreach (var row in rows)
        {
            Assert.AreEqual(RolloutTestData.Problems.Single(p => p.ProblemId == row.ProblemId).Solutions.Contains(row.Code), row.Label);
            Assert.AreEqual(row.Label == true ? Verdict.Pass : Verdict.WrongAnswer, row.Tests!.Single().Verdict, "the judge's verdicts are kept");
        }

        foreach (var branch in rows.Where(r => r.BranchTokenIndex is not null).GroupBy(r => (r.ProblemId, r.BranchTokenIndex)))
        {
            double expected = branch.Count(r => r.Label == true) / (double)branch.Count();
            Assert.IsTrue(branch.All(r => r.PrefixValue == expected));
        }
        Assert.IsTrue(rows.Where(r => r.RolloutId == 0).All(r => r.PrefixValue is null));

        // The fake model never solves "12"; it solves "7" sometimes (whether it does depends on the seeds).
        CollectionAssert.Contains(result.Report.ColdStartProblems.ToList(), "12");
        Assert.AreEqual(14, result.Report.Judged);
        Assert.AreEqual(rows.Count(r => r.Label == true), result.Report.Correct);
        Assert.IsTrue(rows.Where(r => r.ProblemId == "12").All(r => r.Weight == 1.0), "nothing to balance in a cold-start problem");
    }

    [TestMethod]
    public async Task UnjudgedRolloutsAreLabelledLaterFromAResultsFile()
    {
        string path = NewPath("rollouts.jsonl");
        var first = await Run(new FakeGenerator(RolloutTestData.Model()), path);
        Assert.AreEqual(0, first.Report.Judged);
        Assert.HasCount(2, first.Report.UnjudgedProblems);
        var rows = RolloutFile.Read(path).Rollouts;
        Assert.IsTrue(rows.All(r => r.Label is null && r.PrefixValue is null && r.Weight is null));

        // What `rewardml label --candidates rollouts.jsonl` writes: ids as the candidates had them (numbers or strings).
        string results = NewPath("results.jsonl");
        File.WriteAllLines(results, rows.Select(r =>
            $$"""{"problem_id": {{(r.RolloutId % 2 == 0 ? r.ProblemId : $"\"{r.ProblemId}\"")}}, "candidate_id": {{r.CandidateId}}, "strict_pass": {{(r.RolloutId % 3 == 0 ? "true" : "false")}}, "pass_fraction": 0.5, "tests": [{"verdict": "pass", "seconds": 0.2}, {"verdict": "timeout", "seconds": 4}], "seconds": 0.1}"""));

        var generator = new FakeGenerator(RolloutTestData.Model());
        var second = await new BranchingRollouts(generator, RolloutTestData.Options()).RunAsync(RolloutTestData.Problems, path, LabelResultsFile.Read(results));
        Assert.IsEmpty(generator.Requests);
        Assert.AreEqual(14, second.Report.Judged);
        var labelled = RolloutFile.Read(path).Rollouts;
        Assert.IsTrue(labelled.All(r => r.Label == (r.RolloutId % 3 == 0) && r.PassFraction == 0.5));
        Assert.IsTrue(labelled.All(r => r.Tests!.Select(t => t.Verdict).SequenceEqual([Verdict.Pass, Verdict.Timeout])));
        Assert.IsTrue(labelled.Where(r => r.RolloutId > 0).All(r => r.PrefixValue is not null));
    }

    [TestMethod]
    public async Task FailuresAreReportedAndTheRestFinishes()
    {
        string path = NewPath("rollouts.jsonl");
        var judge = new FakeJudge { FailOn = "a * b" };
        var result = await Run(new FakeGenerator(RolloutTestData.Model()), path, judge: judge);
        var rows = RolloutFile.Read(path).Rollouts;
        Assert.HasCount(14, rows);
        var unjudged = rows.Where(r => r.Label is null).ToList();
        Assert.IsTrue(unjudged.All(r => r.Code.Contains("a * b")));
        Assert.HasCount(unjudged.Count, result.Failures);
        Assert.IsTrue(result.Failures.All(f => f.Contains("judging failed: sandbox exploded")));
        Assert.AreEqual(rows.Count, judge.Calls, "a failed judgement is not retried within the run");
    }
}
