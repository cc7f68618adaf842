using Microsoft.ML;
using RewardML;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Steps;
using RewardML.Tokenization;
using RewardML.Training;

namespace RewardPipeline;

/// <summary>What <see cref="RewardPipelineExample.Run"/> produced, for callers (and the test) to check.</summary>
/// <param name="ModelPath">The saved model zip.</param>
/// <param name="Fitted">The pipeline as fitted in this process.</param>
/// <param name="Loaded">The same pipeline loaded back from <paramref name="ModelPath"/>.</param>
/// <param name="Identical">Whether the loaded pipeline produced exactly the fitted one's steps, token positions and scores for every row.</param>
public sealed record RewardPipelineResult(string ModelPath, ITransformer Fitted, ITransformer Loaded, bool Identical);

/// <summary>
/// The reward-model pipeline, start to end: load rollouts, split programs into steps, tokenize for a Phi-4 reward model,
/// train a reward head, score every step, save the fitted pipeline as an ordinary ML.NET model zip and load it back.
/// Copy from here.
/// </summary>
public static class RewardPipelineExample
{
    /// <summary>The sample rollouts shipped beside the example (APPS-style problems, candidate programs, pass/fail labels).</summary>
    public const string SampleData = "apps-rollouts.jsonl";

    /// <summary>Runs the example on <paramref name="rolloutsPath"/>, writing <c>reward-pipeline.zip</c> into <paramref name="outputFolder"/>.</summary>
    public static RewardPipelineResult Run(TextWriter output, string rolloutsPath, string outputFolder)
    {
        var mlContext = new MLContext(seed: 0);

        // 1. Rollouts: one row per candidate program (ProblemId, Prompt, Code, Label). CSV works the same way
        //    (LoadRewardRowsFromCsv); a bad row is one error naming file, line and column.
        IDataView rollouts = mlContext.Data.LoadRewardRowsFromJsonl(rolloutsPath);

        // 2. The pipeline. SegmentSteps: Code → Steps, StepEnds. TokenizeForReward: Prompt, Code, StepEnds → Tokens, StepTokenEnds.
        //    RewardHead: Tokens, StepTokenEnds, Label → StepScores, Score, Probability, PredictedLabel.
        //    The backbone here is the built-in tiny Phi model trained from scratch (seconds on a CPU); for a real reward model
        //    use RewardBackbone.FromCheckpoint("/models/phi-4-mini") with Compute = { Device = "cuda", DType = "bfloat16" }.
        const int maxLength = 256;
        var pipeline = mlContext.Transforms.SegmentSteps(StepStrategy.PythonStatements)
            .Append(mlContext.Transforms.TokenizeForReward(TokenizerSpec.Phi4, maxLength))
            .Append(mlContext.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
            {
                Backbone = RewardBackbone.CreateTiny(new TinyPhiSpec(HiddenSize: 32, NumLayers: 2, IntermediateSize: 64)),
                NumberOfEpochs = 4,
                LearningRate = 1e-3,
                Compute = new() { Device = "cpu" },
            }));

        var model = pipeline.Fit(rollouts);
        var tokenize = (TokenizeForRewardTransformer)model.ElementAt(1);
        using var head = model.LastTransformer;
        var rows = Read(model.Transform(rollouts));

        // 3. Truncation is never silent: one summary line per pass (also logged with WarnIfTruncated(mlContext, ...)).
        var stats = tokenize.ResetStats();
        output.WriteLine(stats.AnyTruncated ? stats.Summary(maxLength) : $"TokenizeForReward: {stats.Rows} rows, {stats.Steps} steps, nothing truncated.");

        Show(output, rows[0], tokenize.Tokenizer);
        output.WriteLine($"trained {head.TrainingSummary!.Steps} steps on {head.TrainingSummary.TrainingRows} rows; last epoch's loss {head.TrainingSummary.Epochs[^1].TrainingLoss:0.###}");
        foreach (var row in rows)
            output.WriteLine($"  {row.ProblemId,-12} label {row.Label,-5} P(pass) {row.Probability:0.000}  steps {string.Join(" ", row.StepScores.Select(v => v.ToString("0.00")))}");

        // 4. Save with ML.NET's own call (nothing to register for saving) ...
        string modelPath = Path.Combine(outputFolder, "reward-pipeline.zip");
        mlContext.Model.Save(model, rollouts.Schema, modelPath);
        output.WriteLine($"saved {modelPath}");

        // ... and load it in a new context: one Register call, then ML.NET's Load.
        var loadingContext = new MLContext();
        RewardMLComponents.Register(loadingContext);
        ITransformer loaded = loadingContext.Model.Load(modelPath, out var inputSchema);
        var reloaded = Read(loaded.Transform(loadingContext.Data.LoadRewardRowsFromJsonl(rolloutsPath)));

        bool identical = rows.Count == reloaded.Count && rows.Zip(reloaded).All(pair => pair.First.SameAs(pair.Second));
        output.WriteLine($"loaded {loaded.GetType().Name} (input columns: {string.Join(", ", inputSchema.Select(c => c.Name))})");
        output.WriteLine(identical ? $"identical output for all {rows.Count} rows" : "OUTPUT DIFFERS after loading");
        return new RewardPipelineResult(modelPath, model, loaded, identical);
    }

    /// <summary>One row's steps: where each ends in the program and which token scores it.</summary>
    private static void Show(TextWriter output, StepRow row, RewardTokenizer tokenizer)
    {
        output.WriteLine($"problem {row.ProblemId}, label {row.Label}: {row.Steps.Length} steps, {row.Tokens.Length} tokens");
        for (int s = 0; s < row.Steps.Length; s++)
        {
            int position = row.StepTokenEnds[s];
            string scoredAt = position < 0 ? "outside the window" : $"token {position} {Quote(tokenizer.Decode([row.Tokens[position]]))}";
            output.WriteLine($"  step {s,2} ends at char {row.StepEnds[s],4}, scored at {scoredAt}, value {row.StepScores[s]:0.000}: {Quote(row.Steps[s])}");
        }
    }

    private static string Quote(string text) => "\"" + text.Replace("\n", "\\n").Replace("\t", "\\t") + "\"";

    private static List<StepRow> Read(IDataView view) =>
        new MLContext().Data.CreateEnumerable<StepRow>(view, reuseRowObject: false).ToList();

    /// <summary>The columns the example reads back from the pipeline's output.</summary>
    private sealed class StepRow
    {
        public string ProblemId { get; set; } = "";
        public bool Label { get; set; }
        public string[] Steps { get; set; } = [];
        public int[] StepEnds { get; set; } = [];
        public int[] Tokens { get; set; } = [];
        public int[] StepTokenEnds { get; set; } = [];
        public float[] StepScores { get; set; } = [];
        public float Probability { get; set; }

        public bool SameAs(StepRow other) =>
            ProblemId == other.ProblemId && Label == other.Label && Steps.SequenceEqual(other.Steps) && StepEnds.SequenceEqual(other.StepEnds)
            && Tokens.SequenceEqual(other.Tokens) && StepTokenEnds.SequenceEqual(other.StepTokenEnds)
            && StepScores.SequenceEqual(other.StepScores) && Probability == other.Probability;
    }
}
