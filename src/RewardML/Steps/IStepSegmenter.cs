namespace RewardML.Steps;

/// <summary>Splits a program into steps. One implementation per strategy.</summary>
public interface IStepSegmenter
{
    /// <summary>
    /// Character offsets in <paramref name="code"/> where each step ends (exclusive), strictly ascending.
    /// The last offset is always <c>code.Length</c>: the whole program is the last step (the outcome reward).
    /// </summary>
    IReadOnlyList<int> Segment(string code);
}
