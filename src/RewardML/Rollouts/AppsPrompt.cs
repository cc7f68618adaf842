using RewardML.Sandbox.Problems;

namespace RewardML.Rollouts;

/// <summary>The prompt format of the APPS paper's generation script (question, starter code, format hint, <c>ANSWER:</c>).</summary>
internal static class AppsPrompt
{
    public static string Format(AppsProblem problem)
    {
        string starter = string.IsNullOrEmpty(problem.StarterCode) ? "" : "\n" + problem.StarterCode;
        string format = problem.IsCallBased ? "\nUse Call-Based format" : "\nUse Standard Input format";
        return "\nQUESTION:\n" + problem.Question + starter + format + "\nANSWER:\n";
    }
}
