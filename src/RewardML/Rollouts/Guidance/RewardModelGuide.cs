using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Interop;
using RewardML.Persistence;
using RewardML.Runtime;
using RewardML.Steps;

namespace RewardML.Rollouts.Guidance;

/// <summary>
/// A trained reward model zip (SegmentSteps → TokenizeForReward → RewardHead, as <c>rewardml train</c> saves it) as a
/// generation guide: its own step strategy splits the program, and one <c>Transform</c> values every row given at once
/// (the RewardHead batches them by its token budget). Thread-safe: one call runs at a time.
/// </summary>
public sealed class RewardModelGuide : IValueGuide, IDisposable
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly SegmentStepsTransformer _segmenter;
    private readonly object _gate = new();

    private RewardModelGuide(MLContext ml, ITransformer model, SegmentStepsTransformer segmenter)
    {
        _ml = ml;
        _model = model;
        _segmenter = segmenter;
    }

    /// <summary>Loads a reward model zip as a guide.</summary>
    /// <param name="path">The model zip.</param>
    /// <param name="compute">Device, dtype and threads to run it with (from the zip's saved ones); null keeps them.</param>
    /// <returns>The guide.</returns>
    /// <exception cref="InvalidDataException">The zip cannot be loaded, or is not a SegmentSteps → … → RewardHead chain
    /// whose step strategy works on code alone.</exception>
    public static RewardModelGuide Load(string path, Func<ComputeOptions, ComputeOptions>? compute = null)
    {
        var ml = new MLContext(seed: 0);
        var model = compute is null ? RewardMLComponents.Load(ml, path, out _) : RewardMLComponents.Load(ml, path, out _, compute);
        var segmenter = RewardHeadExport.Flatten(model).OfType<SegmentStepsTransformer>().FirstOrDefault()
            ?? throw new InvalidDataException($"'{path}': the guide has no SegmentSteps step; a guide is a model zip saved by rewardml train.");
        var guide = new RewardModelGuide(ml, model, segmenter);
        try
        {
            guide.StepEnds("x = 1\n");
            guide.Values([("", "x = 1\n")]);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            guide.Dispose();
            throw new InvalidDataException($"'{path}' cannot guide generation: {e.Message}", e);
        }
        return guide;
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> StepEnds(string code) =>
        _segmenter.Segment(code, null, () => "guide: its step strategy needs step offsets, which generated code does not have; train the guide with another --steps strategy");

    /// <inheritdoc/>
    public IReadOnlyList<float[]> Values(IReadOnlyList<(string Prompt, string Code)> rows)
    {
        if (rows.Count == 0) return [];
        lock (_gate)
        {
            var view = _ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Prompt = r.Prompt, Code = r.Code }).ToList());
            var scored = _model.Transform(view);
            var column = scored.Schema[RewardColumnNames.StepScores];
            using var cursor = scored.GetRowCursor([column]);
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var results = new List<float[]>(rows.Count);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                results.Add(buffer.DenseValues().ToArray());
            }
            return results;
        }
    }

    /// <summary>Releases the model.</summary>
    public void Dispose() => (_model as IDisposable)?.Dispose();

    private sealed class Row
    {
        public string Prompt { get; set; } = "";
        public string Code { get; set; } = "";
    }
}
