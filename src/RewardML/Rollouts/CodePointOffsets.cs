using System.Text;

namespace RewardML.Rollouts;

/// <summary>
/// Python-served backends (vLLM, the OpenAI API) count text offsets in Unicode code points, .NET strings in UTF-16
/// code units; characters outside the Basic Multilingual Plane (emoji) count 1 there and 2 here.
/// </summary>
internal static class CodePointOffsets
{
    /// <summary>Map from a code-point index (0..code point count, inclusive) to the UTF-16 index in <paramref name="text"/>.</summary>
    public static int[] ToUtf16Map(string text)
    {
        var map = new List<int>(text.Length + 1);
        int utf16 = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            map.Add(utf16);
            utf16 += rune.Utf16SequenceLength;
        }
        map.Add(utf16);
        return map.ToArray();
    }

    /// <summary>The number of code points in <paramref name="text"/> (Python's <c>len</c>).</summary>
    public static int Length(string text)
    {
        int count = 0;
        foreach (Rune _ in text.EnumerateRunes()) count++;
        return count;
    }
}
