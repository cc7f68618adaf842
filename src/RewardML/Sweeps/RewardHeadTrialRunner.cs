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
/// <see cref="RewardHeadTrainer.Options"/> property, hands the rest to the pipeline factory (SegmentSteps,
/// TokenizeForReward…), fits on the training data and measures the metric on the validation data.
/// </summary>
public sealed class RewardHeadTrialRunner : ITrialRunner
{
    private static readonly Dictionary<string, PropertyInfo> TrainerProperties = typeof(RewardHeadTrainer.Options)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToDictionary(p => p.Name);

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
        var unknown = space.Dimensions.Select(d => d.Name).Where(n => !TrainerProperties.ContainsKey(n)).ToList();
        if (unknown.Count > 0 && _pipeline is null)
            throw new ArgumentException($"RewardSweep: {string.Join(", ", unknown.Select(n => $"'{n}'"))} is not a RewardHeadTrainer.Options property, and the sweep has no pipeline to read it (give raw rows and a pipeline, or drop it).");
    }

    /// <summary>The base trainer options with the parameter's trainer options set; throws <see cref="ArgumentException"/> for a value the option cannot take.</summary>
    public static RewardHeadTrainer.Options ApplyTo(RewardHeadTrainer.Options baseOptions, Parameter parameter)
    {
        var o = baseOptions.Clone();
        foreach (var (name, value) in parameter)
        {
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
        o.Validate();
        return o;
    }

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
            double metric = Measure(scored, options);
            double loss = RewardSweepOptions.IsMaximized(_options.Metric) ? -metric : metric;
            if (double.IsNaN(metric)) throw new InvalidOperationException($"RewardSweep: the validation {_options.Metric} is NaN (one class only, or no problem with {_options.N} candidates?).");
            return new TrialResult
            {
                TrialSettings = settings, Metric = metric, Loss = loss, DurationInMilliseconds = watch.Elapsed.TotalMilliseconds,
                Model = model, ModelInputSchema = _train.Schema,
            };
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    private double Measure(IDataView scored, RewardHeadTrainer.Options options)
    {
        if (_options.Metric != SweepMetric.BestOfNGain)
        {
            var m = RewardEvaluator.Evaluate(scored, options.LabelColumnName, options.ProbabilityColumnName, null, null, null, null);
            return _options.Metric == SweepMetric.Auc ? m.AreaUnderRocCurve : m.LogLoss;
        }
        string problem = options.ProblemIdColumnName ?? RewardColumnNames.ProblemId;
        var candidates = new List<RankedCandidate>();
        var columns = new[] { scored.Schema[problem], scored.Schema[options.ScoreColumnName], scored.Schema[options.LabelColumnName] };
        using var cursor = scored.GetRowCursor(columns);
        var getProblem = cursor.GetGetter<ReadOnlyMemory<char>>(columns[0]);
        var getScore = cursor.GetGetter<float>(columns[1]);
        var getLabel = cursor.GetGetter<bool>(columns[2]);
        ReadOnlyMemory<char> id = default; float score = 0; bool label = false;
        while (cursor.MoveNext())
        {
            getProblem(ref id); getScore(ref score); getLabel(ref label);
            if (!float.IsNaN(score)) candidates.Add(new RankedCandidate(id.ToString(), score, label));
        }
        return BestOfNEvaluator.Evaluate(candidates, _options.N, _options.K, bootstrapResamples: 0).RelativeGainOverRandom.Value;
    }
}
