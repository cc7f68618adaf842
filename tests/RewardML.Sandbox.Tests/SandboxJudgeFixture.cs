using RewardML.Sandbox.Labelling;
using static RewardML.Sandbox.Tests.SandboxTestKit;

namespace RewardML.Sandbox.Tests;

/// <summary>
/// Base of test classes that judge programs in the real sandbox: one judge with <see cref="SandboxTestKit.SmallLimits"/>
/// and one with <see cref="SandboxTestKit.TimeoutLimits"/> per test class (static per closed generic type, so classes
/// running in parallel never share or dispose each other's), and every test skipped without bubblewrap.
/// </summary>
/// <typeparam name="TTests">The deriving test class.</typeparam>
public abstract class SandboxJudgeFixture<TTests> where TTests : SandboxJudgeFixture<TTests>
{
    /// <summary>The class's judge; null only when bubblewrap is missing, and then every test is skipped before use.</summary>
    protected static SandboxJudge ClassJudge { get; private set; } = null!;

    /// <summary>The class's judge with a short test limit, for programs that are meant to time out; null only when bubblewrap is missing.</summary>
    protected static SandboxJudge TimeoutJudge { get; private set; } = null!;

    [ClassInitialize(InheritanceBehavior.BeforeEachDerivedClass)]
    public static void CreateJudge(TestContext _)
    {
        if (!HasBubblewrap) return;
        ClassJudge = new SandboxJudge(SmallLimits());
        TimeoutJudge = new SandboxJudge(TimeoutLimits());
    }

    [ClassCleanup(InheritanceBehavior.BeforeEachDerivedClass)]
    public static void DisposeJudge()
    {
        ClassJudge?.Dispose();
        TimeoutJudge?.Dispose();
    }

    [TestInitialize]
    public void Require() => RequireBubblewrap();
}
