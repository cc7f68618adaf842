namespace RewardML.Tests.Pretraining;

/// <summary>Small Python modules with a regular shape (what a language model learns from quickly), for pretraining tests.</summary>
internal static class SyntheticPython
{
    /// <summary>Module <paramref name="index"/>: a few functions and a loop, each a little different.</summary>
    public static string Module(int index)
    {
        var lines = new List<string> { $"# module {index}", "import math", "" };
        for (int f = 0; f < 6; f++)
        {
            lines.Add($"def scale_{index}_{f}(values, factor={f + 1}):");
            lines.Add("    result = []");
            lines.Add("    for value in values:");
            lines.Add($"        result.append(value * factor + {index % 7})");
            lines.Add("    return result");
            lines.Add("");
        }
        lines.Add("if __name__ == \"__main__\":");
        lines.Add($"    print(scale_{index}_0([1, 2, 3]))");
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>Writes <paramref name="count"/> modules as <c>m{i}.py</c> into <paramref name="folder"/>.</summary>
    public static void WriteModules(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        for (int i = 0; i < count; i++) File.WriteAllText(Path.Combine(folder, $"m{i}.py"), Module(i));
    }
}
