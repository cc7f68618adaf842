using RewardML.Sandbox.Labelling;
using RewardML.Sandbox.Problems;

namespace RewardML.Tests.Rollouts;

/// <summary>Judges a program correct exactly when it equals one of the problem's reference solutions.</summary>
internal sealed class FakeJudge : IProgramJudge
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Programs containing this text make the judge throw (to exercise error handling).</summary>
    public string? FailOn { get; init; }

    public Task<ProgramResult> JudgeAsync(AppsProblem problem, string code, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        if (FailOn is not null && code.Contains(FailOn, StringComparison.Ordinal)) throw new InvalidOperationException("sandbox exploded");
        bool pass = problem.Solutions.Contains(code);
        return Task.FromResult(new ProgramResult(pass, pass ? 1 : 0, [new TestOutcome(pass ? Verdict.Pass : Verdict.WrongAnswer, 0.01)], 0.01));
    }
}
