namespace RewardML.Sandbox.Labelling;

/// <summary>What a labelling run did.</summary>
public sealed class LabelSummary
{
    /// <summary>Programs judged in this run.</summary>
    public int Judged { get; set; }

    /// <summary>Programs skipped because the results file already had them (resume).</summary>
    public int AlreadyDone { get; set; }

    /// <summary>Programs that passed every test.</summary>
    public int StrictPasses { get; set; }

    /// <summary>Tests run in this run.</summary>
    public int Tests { get; set; }

    /// <summary>Verdict counts over every test of this run.</summary>
    public Dictionary<Verdict, int> Verdicts { get; } = Enum.GetValues<Verdict>().ToDictionary(v => v, _ => 0);

    /// <summary>Bad candidate lines and candidates whose problem is unknown.</summary>
    public List<Problems.ProblemIssue> Issues { get; } = [];

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; set; }
}
