using RewardML.Serving;

namespace RewardML.Tests.Serving;

/// <summary>The dynamic batching itself: rounds by wait and token budget, a full queue, draining on dispose.</summary>
[TestClass]
public sealed class ScoringQueueTests
{
    private static RewardRowScorer _scorer = null!;

    [ClassInitialize]
    public static void Load(TestContext _) => _scorer = ServeHarness.LoadTinyModel();

    [ClassCleanup]
    public static void Free() => _scorer.Dispose();

    private static IReadOnlyList<RewardItem> Items(int first, int count) =>
        [.. ServeHarness.Rows().Skip(first).Take(count).Select(r => new RewardItem(r.Prompt, r.Code))];

    [TestMethod]
    public async Task RequestsArrivingWithinTheWaitShareOneRound()
    {
        var rounds = new List<ScoringRound>();
        // A budget of exactly the four requests' tokens closes the round when the fourth arrives; the 20 s wait is only a bound.
        int tokens = _scorer.Prepare(Items(0, 8)).Sum(r => Math.Max(r.Tokens, 1));
        await using var queue = new ScoringQueue(_scorer, new ScoringQueue.Options { MaxWait = TimeSpan.FromSeconds(20), MaxBatchTokens = tokens });
        queue.RoundScored += r => { lock (rounds) rounds.Add(r); };
        var tasks = Enumerable.Range(0, 4).Select(i => queue.ScoreAsync(Items(i * 2, 2))).ToList();
        var results = await Task.WhenAll(tasks);
        Assert.HasCount(1, rounds, "four requests queued within the wait: one round");
        Assert.AreEqual(4, rounds[0].Requests);
        Assert.AreEqual(8, rounds[0].Rows);
        var alone = _scorer.Score(_scorer.Prepare(Items(0, 8)), 1 << 20);
        for (int i = 0; i < 8; i++)
            Assert.AreEqual(alone[i].Probability, results[i / 2][i % 2].Probability, ServeHarness.Tolerance, $"row {i} comes back to its own request");
    }

    [TestMethod]
    public async Task ARoundIsReportedBeforeItsCallersResume()
    {
        int reported = 0;
        await using var queue = new ScoringQueue(_scorer, new ScoringQueue.Options { MaxWait = TimeSpan.Zero });
        queue.RoundScored += _ =>
        {
            Thread.Sleep(300); // a slow metrics sink: the reply must still wait for it
            Interlocked.Increment(ref reported);
        };
        for (int i = 0; i < 3; i++)
        {
            await queue.ScoreAsync(Items(i, 1));
            Assert.AreEqual(i + 1, Volatile.Read(ref reported), $"request {i}: its round is in the metrics when its reply arrives");
        }
    }

    [TestMethod]
    public async Task AThrowingRoundHandlerStrandsNoCaller()
    {
        await using var queue = new ScoringQueue(_scorer, new ScoringQueue.Options { MaxWait = TimeSpan.Zero });
        queue.RoundScored += _ => throw new InvalidOperationException("a broken metrics sink");
        for (int i = 0; i < 2; i++)
        {
            var scores = await queue.ScoreAsync(Items(i, 1)).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.IsTrue(float.IsFinite(scores[0].Probability), $"request {i} gets its score; the worker lives on");
        }
    }

    [TestMethod]
    public async Task TheTokenBudgetCutsRoundsAndALargerRequestIsScoredAlone()
    {
        var rounds = new List<ScoringRound>();
        await using var queue = new ScoringQueue(_scorer, new ScoringQueue.Options { MaxWait = TimeSpan.FromSeconds(1), MaxBatchTokens = 1 });
        queue.RoundScored += r => { lock (rounds) rounds.Add(r); };
        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => queue.ScoreAsync(Items(i, 1))));
        Assert.HasCount(3, rounds, "each request alone exceeds the budget of 1 token: one round each");
        Assert.IsTrue(rounds.All(r => r.Requests == 1 && r.Tokens > 1));
        Assert.IsTrue(results.All(r => r.Count == 1 && float.IsFinite(r[0].Probability)));
    }

    [TestMethod]
    public async Task AFullQueueRefusesAndDisposeDrainsWhatIsQueued()
    {
        var queue = new ScoringQueue(_scorer, new ScoringQueue.Options { MaxWait = TimeSpan.FromSeconds(30), MaxQueue = 2, MaxBatchTokens = 1 << 20 });
        var first = queue.ScoreAsync(Items(0, 1));
        var second = queue.ScoreAsync(Items(1, 1));
        Assert.AreEqual(2, queue.Waiting);
        var full = Assert.ThrowsExactly<ScoringQueueFullException>(() => queue.ScoreAsync(Items(2, 1)));
        Assert.AreEqual(2, full.MaxQueue);
        Assert.IsFalse(first.IsCompleted, "the round waits for company (30 s) until the queue is disposed");

        await queue.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.IsTrue(first.IsCompletedSuccessfully && second.IsCompletedSuccessfully, "dispose scores what was queued");
        Assert.ThrowsExactly<ObjectDisposedException>(() => queue.ScoreAsync(Items(0, 1)));
    }
}
