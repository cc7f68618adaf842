namespace RewardML.Data;

/// <summary>
/// One row of reward-model data, as <see cref="RewardRowLoader"/> reads it. Column names in the data view come from
/// <see cref="RewardRowLoader.Options"/>; these are the defaults.
/// </summary>
public sealed class RewardRow
{
    /// <summary>The problem the program answers (<c>ProblemId</c>, text; optional).</summary>
    public string ProblemId { get; set; } = "";

    /// <summary>The problem statement and starter code (<c>Prompt</c>, text).</summary>
    public string Prompt { get; set; } = "";

    /// <summary>The candidate program (<c>Code</c>, text).</summary>
    public string Code { get; set; } = "";

    /// <summary>Whether the program passes its tests (<c>Label</c>, bool; training only).</summary>
    public bool Label { get; set; }

    /// <summary>Soft per-step targets in [0, 1], such as Monte-Carlo estimates (<c>StepTargets</c>, vector of float; optional).</summary>
    public float[] StepTargets { get; set; } = [];

    /// <summary>The row's weight in training (<c>Weight</c>, float ≥ 0; optional, 1 when absent).</summary>
    public float Weight { get; set; } = 1f;
}
