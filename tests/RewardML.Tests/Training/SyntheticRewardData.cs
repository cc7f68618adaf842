using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Training;

namespace RewardML.Tests.Training;

/// <summary>Rows shaped like TokenizeForReward's output, for trainer tests that need no tokenizer.</summary>
public sealed class RewardTrainingRow
{
    public string ProblemId { get; set; } = "";

    [VectorType]
    public int[] Tokens { get; set; } = [];

    [VectorType]
    public int[] StepTokenEnds { get; set; } = [];

    public int CodeTokenStart { get; set; }

    public bool Label { get; set; }

    [VectorType]
    public float[] StepTargets { get; set; } = [];

    public float Weight { get; set; } = 1;
}

/// <summary>A synthetic task whose label depends on the tokens: a program passes when it holds the "marker" token.</summary>
internal static class SyntheticRewardData
{
    public const int Marker = 7;

    /// <summary>A small tiny backbone for tests: vocabulary 64, hidden 32, 2 layers.</summary>
    public static RewardBackbone Backbone(long seed = 0) =>
        RewardBackbone.CreateTiny(new TinyPhiSpec(VocabSize: 64, HiddenSize: 32, NumLayers: 2, IntermediateSize: 64, NumHeads: 4, NumKeyValueHeads: 2, MaxPositions: 256), seed);

    /// <summary>
    /// <paramref name="count"/> rows: a 4-token "prompt", then 3 steps of 3–6 tokens from ids 10..40; half of the rows get the
    /// marker in their first step and pass, so that every step's prefix already decides the label. Problems group 4 rows each.
    /// </summary>
    public static List<RewardTrainingRow> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<RewardTrainingRow>();
        for (int r = 0; r < count; r++)
        {
            var tokens = new List<int> { 1, 2, 3, 4 };
            var ends = new List<int>();
            bool pass = random.Next(2) == 0;
            const int markerStep = 0;
            for (int s = 0; s < 3; s++)
            {
                int n = random.Next(3, 7);
                for (int i = 0; i < n; i++) tokens.Add(random.Next(10, 40));
                if (pass && s == markerStep) tokens[^random.Next(1, n + 1)] = Marker;
                ends.Add(tokens.Count - 1);
            }
            rows.Add(new RewardTrainingRow
            {
                ProblemId = $"p{r / 4}", Tokens = [.. tokens], StepTokenEnds = [.. ends], CodeTokenStart = 4, Label = pass,
                StepTargets = ends.Select(_ => pass ? 1f : 0f).ToArray(),
            });
        }
        return rows;
    }

    public static IDataView View(MLContext ml, IEnumerable<RewardTrainingRow> rows) => ml.Data.LoadFromEnumerable(rows.ToList());
}
