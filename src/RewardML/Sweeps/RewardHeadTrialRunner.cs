using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Evaluation;
using RewardML.Scoring;
using RewardML.Training;

namespace RewardML.Sweeps;

/// <summary>
/// The trial runner of a reward-head sweep: copies the base trainer options, sets every parameter that names a
/// <see cref="RewardHeadTrainer.Options"/> property or (<see cref="BackbonePrefix"/> + a <see cref="TinyPhiSpec.Keys"/>
/// key, e.g. <c>Backbone.hidden</c>) a size of a tiny backbone, hands the rest to the pipeline factory (SegmentSteps,
/// TokenizeForReward…), fits on the training data and measures the metric on the validation data.
/// </summary>
public sealed class RewardHeadTrialRunner : ITrialRunner
{
    private static readonly Dictionary<string, PropertyInfo> TrainerProperties = typeof(RewardHeadTrainer.Options)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToDictionary(p => p.Name);

    /// <summary>Dimension names <c>Backbone.KEY</c> size the tiny backbone (<c>KEY</c> as in <c>tiny:KEY=N</c>: hidden, layers, heads…).</summary>
    public const string BackbonePrefix = "Backbone.";

    private readonly MLContext _ml;
    private readonly IDataView _train, _validation;
    private readonly RewardSweepOptions _options;
    private readonly Func<Parameter, IEstimator<ITransformer>>? _pipeline;

    /// <summary>Creates the runner.</summary>
    /// <param name="ml">The context.</param>
    /// <param name="trainData">Training rows (tokenized, or raw when <paramref name="pipeline"/> prepares them).</param>
    /// <param name="validationData">Validation rows, same format.</param>
    /// <param name="options">The sweep options (base trainer options, metric).</param>
    /// <param name="pipeline">Builds the preparation pipeline for a parameter (it reads the pipeline options); null for tokenized rows.</param>
    public RewardHeadTrialRunner(MLContext ml, IDataView trainData, IDataView validationData, RewardSweepOptions options, Func<Parameter, IEstimator<ITransformer>>? pipeline = null)
    {
        _ml = ml ?? throw new ArgumentNullException(nameof(ml));
        _train = trainData ?? throw new ArgumentNullException(nameof(trainData));
        _validation = validationData ?? throw new ArgumentNullException(nameof(validationData));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _pipeline = pipeline;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a dimension names neither a trainer option nor (with a pipeline) a pipeline option.</summary>
    internal void CheckNames(SweepSearchSpace space)
    {
        var badSizes = space.Dimensions.Select(d => d.Name).Where(n => n.StartsWith(BackbonePrefix, StringComparison.Ordinal) && BackboneKey(n) is null).ToList();
        if (badSizes.Count > 0)
            throw new ArgumentException($"RewardSweep: {string.Join(", ", badSizes.Select(n => $"'{n}'"))} is not a tiny backbone size; use {string.Join(", ", TinyPhiSpec.Keys.Select(k => BackbonePrefix + k))}.");
        var unknown = space.Dimensions.Select(d => d.Name).Where(n => !SetsOption(n)).ToList();
        if (unknown.Count > 0 && _pipeline is null)
            throw new ArgumentException($"RewardSweep: {string.Join(", ", unknown.Select(n => $"'{n}'"))} is not a RewardHeadTrainer.Options property, and the sweep has no pipeline to read it (give raw rows and a pipeline, or drop it).");
    }

    /// <summary>True when a dimension named <paramref name="name"/> sets a trainer option or a tiny backbone size (the rest go to the pipeline).</summary>
    public static bool SetsOption(string name) => TrainerProperties.ContainsKey(name) || BackboneKey(name) is not null;

    /// <summary>The base trainer options with the parameter's trainer options set; throws <see cref="ArgumentException"/> for a value the option cannot take.</summary>
    public static RewardHeadTrainer.Options ApplyTo(RewardHeadTrainer.Options baseOptions, Parameter parameter)
    {
        var o = baseOptions.Clone();
        var sizes = new List<string>();
        foreach (var (name, value) in parameter)
        {
            if (BackboneKey(name) is { } key)
            {
                sizes.Add($"{key}={Convert.ToString(value, CultureInfo.InvariantCulture)}");
                continue;
            }
            if (!TrainerProperties.TryGetValue(name, out var property)) continue;
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object converted;
            try
            {
                converted = type.IsEnum ? Enum.Parse(type, Convert.ToString(value, CultureInfo.InvariantCulture)!, ignoreCase: true)
                    : Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or ArgumentException or OverflowException)
            {
                throw new ArgumentException($"RewardSweep: {name} = {Parameter.Format(value)} is not a {type.Name}.", e);
            }
            property.SetValue(o, converted);
        }
        if (sizes.Count > 0)
        {
            // Sizes go through the CLI's parser: same keys and rules (a hidden size without intermediate gets an MLP twice as wide).
            if (o.Backbone is not { IsTiny: true } tiny)
                throw new ArgumentException($"RewardSweep: {string.Join(", ", sizes)} sizes a tiny backbone; the base options' backbone is {o.Backbone?.ToString() ?? "not set"}.");
            o.Backbone = RewardBackbone.CreateTiny(TinyPhiSpec.Parse(string.Join(",", sizes), tiny.Tiny!), tiny.Seed);
        }
        o.Validate();
        return o;
    }

    // "Backbone.hidden" → "hidden" when it is a tiny size key; null otherwise.
    private static string? BackboneKey(string name) =>
        name.StartsWith(BackbonePrefix, StringComparison.Ordinal) && TinyPhiSpec.Keys.Contains(name[BackbonePrefix.Length..]) ? name[BackbonePrefix.Length..] : null;

    /// <inheritdoc/>
    public TrialResult Run(TrialSettings settings, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var options = ApplyTo(_options.TrainerOptions!, settings.Parameter);
        options.CheckpointFolder = null;
        options.LogFile = null;
        var trainer = new RewardHeadTrainer(options, _ml); // validates before any training
        ITransformer model;
        IDataView train = _train, validation = _validation;
        if (_pipeline is not null)
        {
            var prepare = _pipeline(settings.Parameter).Fit(_train);
            var head = trainer.Fit(prepare.Transform(_train), prepare.Transform(_validation), cancellationToken);
            model = prepare.Append(head);
        }
        else model = trainer.Fit(train, validation, cancellationToken);
        try
        {
            var scored = model.Transform(validation);
            var (metric, rows) = Measure(scored, options);
            double loss = RewardSweepOptions.IsMaximized(_options.Metric) ? -metric.Value : metric.Value;
            if (double.IsNaN(metric.Value)) throw new InvalidOperationException($"RewardSweep: the validation {_options.Metric} is NaN (one class only, or no problem with {_options.N} candidates?).");
            return new TrialResult
            {
                TrialSettings = settings, Metric = metric.Value, Loss = loss, DurationInMilliseconds = watch.Elapsed.TotalMilliseconds,
                MetricLower = metric.Lower, MetricUpper = metric.Upper, ValidationRows = rows,
                Model = model, ModelInputSchema = _train.Schema,
            };
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when the validation labels are all one class: no trial could be measured.</summary>
    internal void CheckValidationClasses()
    {
        string label = _options.TrainerOptions!.LabelColumnName;
        if (_validation.Schema.GetColumnOrNull(label) is null) return; // the trainer names the missing column
        long positives = 0, negatives = 0;
        foreach (bool l in _validation.GetColumn<bool>(label)) { if (l) positives++; else negatives++; }
        if (positives > 0 && negatives > 0) return;
        throw new InvalidDataException($"RewardSweep: the validation data has {positives + negatives} rows, all {(positives > 0 ? "passing" : "failing")}: " +
            $"{_options.Metric} needs both classes. Hold out more problems (a larger validation fraction), or give validation rows with both passing and failing programs.");
    }

    /// <summary>The metric with its 95% bootstrap interval (problems resampled, <see cref="RewardSweepOptions.Defaults.BootstrapResamples"/> times), and the rows measured.</summary>
    private (IntervalEstimate Metric, int Rows) Measure(IDataView scored, RewardHeadTrainer.Options options)
    {
        string? problemColumn = options.ProblemIdColumnName is { } p && scored.Schema.GetColumnOrNull(p) is not null ? p : null;
        var rows = new List<(string Problem, float Score, float Probability, bool Label)>();
        var columns = new[] { scored.Schema[options.ScoreColumnName], scored.Schema[options.ProbabilityColumnName], scored.Schema[options.LabelColumnName] }
            .Concat(problemColumn is null ? [] : [scored.Schema[problemColumn]]).ToArray();
        using (var cursor = scored.GetRowCursor(columns))
        {
            var getScore = cursor.GetGetter<float>(columns[0]);
            var getProbability = cursor.GetGetter<float>(columns[1]);
            var getLabel = cursor.GetGetter<bool>(columns[2]);
            var getProblem = problemColumn is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(columns[3]);
            ReadOnlyMemory<char> id = default; float score = 0, probability = 0; bool label = false;
            while (cursor.MoveNext())
            {
                getScore(ref score); getProbability(ref probability); getLabel(ref label);
                getProblem?.Invoke(ref id);
                rows.Add((getProblem is null ? rows.Count.ToString(CultureInfo.InvariantCulture) : id.ToString(), score, probability, label));
            }
        }
        int resamples = RewardSweepOptions.Defaults.BootstrapResamples, seed = _options.Seed;
        if (_options.Metric == SweepMetric.BestOfNGain)
        {
            var candidates = rows.Where(r => !float.IsNaN(r.Score)).Select(r => new RankedCandidate(r.Problem, r.Score, r.Label));
            return (BestOfNEvaluator.Evaluate(candidates, _options.N, _options.K, resamples, seed).RelativeGainOverRandom, rows.Count);
        }
        var problems = rows.GroupBy(r => r.Problem).Select(g => g.ToArray()).ToArray();
        double Statistic(IEnumerable<(string, float, float Probability, bool Label)> sample)
        {
            var list = sample.ToList();
            var metrics = RewardEvaluator.Evaluate(list.Select(r => r.Label).ToList(), list.Select(r => r.Probability).ToList());
            return _options.Metric == SweepMetric.Auc ? metrics.AreaUnderRocCurve : metrics.LogLoss;
        }
        double value = Statistic(rows); // from the rows read above: scoring the view again would run the model a second time
        var interval = Bootstrap.Intervals(problems.Length, 1, resamples, seed, 0.95, picked => [Statistic(picked.SelectMany(i => problems[i]))])[0];
        return (new IntervalEstimate(value, interval.Lower, interval.Upper), rows.Count);
    }
}
