using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Interop;
using RewardML.Scoring;
using RewardML.Training;

namespace RewardML.Serving;

/// <summary>
/// Scores (prompt, code) rows held in memory with a loaded model zip (SegmentSteps → TokenizeForReward → RewardHead), in
/// two halves so that a server can batch across requests: <see cref="Prepare"/> runs the chain up to the reward head
/// (steps and tokens; any thread, concurrently), <see cref="Score"/> runs the reward head on rows prepared by any number
/// of requests together (the scorer's own planner and forward pass, one at a time). The numbers are those of
/// <c>model.Transform</c> (and so of <c>rewardml score</c>), up to libtorch's float differences between batch shapes.
/// </summary>
public sealed class RewardRowScorer : IDisposable
{
    private readonly MLContext _mlContext;
    private readonly ITransformer _model;
    private readonly ITransformer _features;
    private readonly RewardHeadTransformer _head;
    private readonly string _stepEndsColumnName;

    /// <summary>Splits <paramref name="model"/> into the transforms before its reward head and the head itself.</summary>
    /// <param name="mlContext">The context the model was loaded with.</param>
    /// <param name="model">A chain whose last component is a <see cref="RewardHeadTransformer"/>, as <c>rewardml train</c> saves it.</param>
    /// <param name="stepEndsColumnName">The column of step ends (character offsets) the chain makes. Default <c>StepEnds</c>.</param>
    /// <exception cref="InvalidDataException">The model does not end with a reward head, or does not make its inputs from Prompt and Code.</exception>
    public RewardRowScorer(MLContext mlContext, ITransformer model, string stepEndsColumnName = "StepEnds")
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        _mlContext = mlContext;
        _model = model;
        _stepEndsColumnName = stepEndsColumnName;
        var parts = RewardHeadExport.Flatten(model);
        _head = parts.Count > 0 && parts[^1] is RewardHeadTransformer head ? head
            : parts.Any(p => p is RewardHeadTransformer)
                ? throw new InvalidDataException("The model's reward head is followed by other transforms (an ensemble such as train --ensemble saves); serving scores with the reward model itself: serve the zip it was made from (ZIP, not ZIP.ensemble.zip), or score the ensemble in batch with rewardml score.")
                : throw new InvalidDataException($"The model's last component is {(parts.Count == 0 ? "missing" : parts[^1].GetType().Name)}; serving needs a chain that ends with RewardHead (SegmentSteps → TokenizeForReward → RewardHead, as rewardml train saves it).");
        _features = new TransformerChain<ITransformer>([.. parts.Take(parts.Count - 1)]);
        var schema = _features.GetOutputSchema(View([]).Schema);
        var options = _head.ScoringOptions;
        var missing = new[] { options.TokensColumnName, options.StepTokenEndsColumnName, _stepEndsColumnName }.Where(c => schema.GetColumnOrNull(c) is null).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"The model does not make {string.Join(", ", missing)} from Prompt and Code (it makes {string.Join(", ", schema.Select(c => c.Name))}).");
    }

    /// <summary>The reward head: its options (token budget, aggregation, temperature) and backbone.</summary>
    public RewardHeadTransformer Head => _head;

    /// <summary>Steps and tokens of <paramref name="items"/>, in order; cheap next to <see cref="Score"/>, and safe on several threads at once.</summary>
    /// <exception cref="InvalidDataException">A row the chain cannot make tokens for.</exception>
    public IReadOnlyList<PreparedRewardRow> Prepare(IReadOnlyList<RewardItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) return [];
        var options = _head.ScoringOptions;
        var prepared = _features.Transform(View(items.Select(i => new PromptCode { Prompt = i.Prompt, Code = i.Code })));
        var columns = new[] { options.TokensColumnName, options.StepTokenEndsColumnName, _stepEndsColumnName }.Select(c => prepared.Schema[c]).ToArray();
        var rows = new List<PreparedRewardRow>(items.Count);
        using var cursor = prepared.GetRowCursor(columns);
        var tokens = cursor.GetGetter<VBuffer<int>>(columns[0]);
        var stepTokenEnds = cursor.GetGetter<VBuffer<int>>(columns[1]);
        var stepEnds = cursor.GetGetter<VBuffer<int>>(columns[2]);
        VBuffer<int> t = default, e = default, c = default;
        while (cursor.MoveNext())
        {
            tokens(ref t);
            stepTokenEnds(ref e);
            stepEnds(ref c);
            var example = _head.Example(t.DenseValues().ToArray(), e.DenseValues().ToArray(), rows.Count);
            rows.Add(new PreparedRewardRow(example, c.DenseValues().ToArray()));
        }
        return rows;
    }

    /// <summary>
    /// Scores prepared rows in as few forward passes of at most <paramref name="maxTokensPerBatch"/> padded tokens as the
    /// reward head's planner cuts (rows sorted by length); one call runs at a time.
    /// </summary>
    public IReadOnlyList<RewardItemScore> Score(IReadOnlyList<PreparedRewardRow> rows, int maxTokensPerBatch)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokensPerBatch, 1);
        if (rows.Count == 0) return [];
        var values = _head.ScoreRows([.. rows.Select(r => r.Example)], maxTokensPerBatch);
        var scores = new RewardItemScore[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var (score, probability, _) = _head.Summarize(values[i]);
            scores[i] = new RewardItemScore(score, probability, values[i], rows[i].StepEnds);
        }
        return scores;
    }

    /// <summary>Frees the model's tensors.</summary>
    public void Dispose() => (_model as IDisposable)?.Dispose();

    private IDataView View(IEnumerable<PromptCode> rows) => _mlContext.Data.LoadFromEnumerable(rows);

    private sealed class PromptCode
    {
        public string Prompt { get; set; } = "";
        public string Code { get; set; } = "";
    }
}

/// <summary>A row with its steps and tokens made (<see cref="RewardRowScorer.Prepare"/>), ready for the forward pass.</summary>
public sealed class PreparedRewardRow
{
    internal PreparedRewardRow(RewardExample example, int[] stepEnds)
    {
        Example = example;
        StepEnds = stepEnds;
    }

    internal RewardExample Example { get; }

    /// <summary>Each step's end as a character offset in the code.</summary>
    public int[] StepEnds { get; }

    /// <summary>Tokens the forward pass reads for this row (up to its last scored step): its cost in a token budget.</summary>
    public int Tokens => Example.ScoredLength;
}
