using RewardML.Sharding;

namespace RewardML.Cli.Commands;

/// <summary>The <c>--shard I/N</c> option of <c>label</c>, <c>rollouts</c> and <c>score</c>: parsed and checked the same in each.</summary>
internal static class ShardOption
{
    /// <summary>The shard, or why the text is not one.</summary>
    public static (ShardSpec? Shard, string? Error) TryParse(string text)
    {
        try
        {
            return (ShardSpec.Parse(text), null);
        }
        catch (FormatException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>The shard, or null without the option (validated before).</summary>
    public static ShardSpec? Parse(string? text) => text is null ? null : ShardSpec.Parse(text);
}
