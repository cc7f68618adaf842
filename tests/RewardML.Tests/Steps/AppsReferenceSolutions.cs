using System.Text.Json;
using RewardML.Tests.Shared;

namespace RewardML.Tests.Steps;

/// <summary>The reference solutions of the APPS sample in ../shared (skips the test when absent).</summary>
internal static class AppsReferenceSolutions
{
    private static readonly Lazy<IReadOnlyList<string>> Programs = new(Load);

    public static IReadOnlyList<string> All()
    {
        SharedFixtures.Require("data/apps-sample.jsonl");
        return Programs.Value;
    }

    private static IReadOnlyList<string> Load()
    {
        var programs = new List<string>();
        foreach (string line in File.ReadLines(SharedFixtures.Require("data/apps-sample.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var row = JsonDocument.Parse(line);
            string? solutions = row.RootElement.GetProperty("solutions").GetString();
            if (string.IsNullOrEmpty(solutions)) continue;
            programs.AddRange(JsonSerializer.Deserialize<string[]>(solutions)!);
        }
        return programs;
    }
}
