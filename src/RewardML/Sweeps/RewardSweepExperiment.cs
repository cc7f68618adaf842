using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;

namespace RewardML.Sweeps;

/// <summary>
/// A hyper-parameter sweep shaped like ML.NET AutoML's <c>AutoMLExperiment</c>: fluent <c>SetX</c> methods, then
/// <see cref="Run"/>. Each trial: the tuner proposes a parameter, the search space's rules are checked (a violation is
/// recorded as a failed trial without running), the trial runner trains and measures, the tuner learns the result.
/// A trial that throws is recorded with its error and the sweep goes on. With a checkpoint folder every finished trial
/// is appended to <c>trials.jsonl</c> at once, and a rerun with the same folder replays the log into the tuner and
/// continues after the last finished trial. See docs/sweeps.md.
/// </summary>
public sealed class RewardSweepExperiment
{
    private SweepSearchSpace? _space;
    private ITuner? _tuner;
    private ITrialRunner? _runner;
    private int? _maxTrials;
    private double? _seconds;
    private string? _folder;
    private bool _maximize = true;
    private string _metricName = "metric";
    private Action<TrialResult, TrialResult?>? _trialCompleted;

    /// <summary>Sets the search space.</summary>
    public RewardSweepExperiment SetSearchSpace(SweepSearchSpace space) { _space = space ?? throw new ArgumentNullException(nameof(space)); return this; }

    /// <summary>Sets the tuner (it must be built on the same search space).</summary>
    public RewardSweepExperiment SetTuner(ITuner tuner) { _tuner = tuner ?? throw new ArgumentNullException(nameof(tuner)); return this; }

    /// <summary>Sets the trial runner.</summary>
    public RewardSweepExperiment SetTrialRunner(ITrialRunner runner) { _runner = runner ?? throw new ArgumentNullException(nameof(runner)); return this; }

    /// <summary>Stops after this many trials in all (earlier runs of the folder included).</summary>
    public RewardSweepExperiment SetMaxTrials(int maxTrials)
    {
        if (maxTrials < 1) throw new ArgumentOutOfRangeException(nameof(maxTrials), $"RewardSweep: maxTrials must be at least 1, got {maxTrials}.");
        _maxTrials = maxTrials;
        return this;
    }

    /// <summary>Wall-clock budget of this run: no trial starts after it, and a running trial is cancelled (and not logged).</summary>
    public RewardSweepExperiment SetTrainingTimeInSeconds(double seconds)
    {
        if (!(seconds > 0)) throw new ArgumentOutOfRangeException(nameof(seconds), $"RewardSweep: the time budget must be positive, got {seconds}.");
        _seconds = seconds;
        return this;
    }

    /// <summary>The sweep folder (trial log, leaderboard, plot, best model); a rerun with it continues.</summary>
    public RewardSweepExperiment SetCheckpoint(string folder) { ArgumentException.ThrowIfNullOrEmpty(folder); _folder = folder; return this; }

    /// <summary>
    /// Called after every trial run now (not those replayed from the folder's log), on the thread of <see cref="Run"/>,
    /// with the trial's result and the best successful trial so far (it included), for a live line per trial.
    /// </summary>
    public RewardSweepExperiment SetTrialCompleted(Action<TrialResult, TrialResult?> onCompleted) { _trialCompleted = onCompleted ?? throw new ArgumentNullException(nameof(onCompleted)); return this; }

    /// <summary>The metric's name (for the leaderboard) and whether larger is better (how results are ranked).</summary>
    public RewardSweepExperiment SetMetric(string name, bool isMaximize)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        (_metricName, _maximize) = (name, isMaximize);
        return this;
    }

    /// <summary>Runs the sweep synchronously until the trial limit, the time budget, the tuner's end (grid) or cancellation.</summary>
    /// <exception cref="InvalidOperationException">Something is not set, or the folder holds another sweep's log.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (finished trials stay logged).</exception>
    public RewardSweepResult Run(CancellationToken cancellationToken = default)
    {
        if (_space is null || _tuner is null || _runner is null) throw new InvalidOperationException("RewardSweep: call SetSearchSpace, SetTuner and SetTrialRunner before Run.");
        if (_maxTrials is null && _seconds is null) throw new InvalidOperationException("RewardSweep: set a trial limit or a time budget, or the sweep never ends.");
        var watch = Stopwatch.StartNew();
        var trials = new List<TrialResult>();
        string? log = null;
        if (_folder is not null)
        {
            Directory.CreateDirectory(_folder);
            log = Path.Combine(_folder, "trials.jsonl");
            WriteOrCheckSweepFile();
            foreach (var logged in ReadLog(log))
            {
                var settings = new TrialSettings { TrialId = trials.Count + 1 };
                settings.Parameter = _tuner.Propose(settings);
                if (settings.Parameter.ToJson() != logged.TrialSettings.Parameter.ToJson())
                    throw new InvalidOperationException($"RewardSweep: {log} trial {settings.TrialId} ran {logged.TrialSettings.Parameter.ToJson()}, but this sweep proposes {settings.Parameter.ToJson()}: the folder holds another sweep (other space, tuner or seed). Use a new folder.");
                var replayed = new TrialResult
                {
                    TrialSettings = settings, Metric = logged.Metric, Loss = logged.Loss, DurationInMilliseconds = logged.DurationInMilliseconds, Error = logged.Error,
                    MetricLower = logged.MetricLower, MetricUpper = logged.MetricUpper, ValidationRows = logged.ValidationRows,
                };
                _tuner.Update(replayed);
                trials.Add(replayed);
            }
        }
        int resumed = trials.Count;
        double best = trials.Where(t => t.IsSuccess).Select(t => t.Loss).DefaultIfEmpty(double.PositiveInfinity).Min();
        TrialResult? bestTrial = trials.Where(t => t.IsSuccess).OrderBy(t => t.Loss).ThenBy(t => t.TrialSettings.TrialId).FirstOrDefault();
        string? bestModel = _folder is null ? null : Path.Combine(_folder, "best-model.zip");
        bool stoppedByTime = false;
        string exempt = (_tuner as SuccessiveHalvingTuner)?.ResourceName!;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (trials.Count >= _maxTrials) break;
            if (_tuner is IFiniteTuner { IsExhausted: true }) break;
            double left = _seconds is { } s ? s - watch.Elapsed.TotalSeconds : double.PositiveInfinity;
            if (left <= 0) { stoppedByTime = true; break; }

            var settings = new TrialSettings { TrialId = trials.Count + 1 };
            settings.Parameter = _tuner.Propose(settings);
            var trialWatch = Stopwatch.StartNew();
            TrialResult result;
            if (_space.FindViolation(settings.Parameter, exempt) is { } violation)
                result = new TrialResult { TrialSettings = settings, Error = violation };
            else
            {
                using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (double.IsFinite(left)) budget.CancelAfter(TimeSpan.FromSeconds(left));
                try
                {
                    result = _runner.Run(settings, budget.Token);
                    if (!double.IsFinite(result.Loss) && result.Error is null)
                        result = new TrialResult { TrialSettings = settings, Metric = result.Metric, Error = $"the trial's loss is {result.Loss}" };
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    stoppedByTime = true;
                    break; // the time budget ran out inside the trial: not finished, not logged
                }
                catch (OperationCanceledException) { throw; }
                catch (Exception e)
                {
                    result = new TrialResult { TrialSettings = settings, Error = $"{e.GetType().Name}: {e.Message}" };
                }
            }
            if (result.DurationInMilliseconds == 0)
                result = new TrialResult
                {
                    TrialSettings = settings, Metric = result.Metric, Loss = result.Loss, Error = result.Error,
                    MetricLower = result.MetricLower, MetricUpper = result.MetricUpper, ValidationRows = result.ValidationRows,
                    DurationInMilliseconds = trialWatch.Elapsed.TotalMilliseconds, Model = result.Model, ModelInputSchema = result.ModelInputSchema,
                };
            if (result.Model is not null)
            {
                if (result.IsSuccess && result.Loss < best && bestModel is not null && result.ModelInputSchema is not null)
                    SaveModel(result, bestModel);
                (result.Model as IDisposable)?.Dispose();
            }
            if (result.IsSuccess && result.Loss < best) best = result.Loss;
            _tuner.Update(result);
            var logged = Strip(result);
            trials.Add(logged);
            if (log is not null) File.AppendAllText(log, ToJsonLine(logged) + "\n");
            if (logged.IsSuccess && (bestTrial is null || logged.Loss < bestTrial.Loss)) bestTrial = logged;
            _trialCompleted?.Invoke(logged, bestTrial);
        }

        var sweep = new RewardSweepResult(trials, _metricName, _maximize, resumed, stoppedByTime,
            bestModel is not null && File.Exists(bestModel) ? bestModel : null);
        if (_folder is not null) sweep.WriteReports(_folder);
        return sweep;
    }

    private void WriteOrCheckSweepFile()
    {
        string path = Path.Combine(_folder!, "sweep.json");
        var text = new JsonObject
        {
            ["metric"] = _metricName, ["maximize"] = _maximize, ["tuner"] = _tuner!.GetType().Name,
            ["searchSpace"] = JsonNode.Parse(_space!.ToJson()),
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (File.Exists(path) && File.Exists(Path.Combine(_folder!, "trials.jsonl")))
        {
            var old = File.ReadAllText(path);
            if (!JsonNode.DeepEquals(JsonNode.Parse(old), JsonNode.Parse(text)))
                throw new InvalidOperationException($"RewardSweep: {_folder} holds a sweep with another metric, tuner or search space (see its sweep.json). Use a new folder.");
        }
        File.WriteAllText(path, text);
    }

    private static void SaveModel(TrialResult result, string path)
    {
        var ml = new MLContext();
        string temp = path + ".tmp";
        ml.Model.Save(result.Model!, result.ModelInputSchema!, temp);
        File.Move(temp, path, overwrite: true);
    }

    private static TrialResult Strip(TrialResult r) => new()
    {
        TrialSettings = r.TrialSettings, Metric = r.Metric, Loss = r.Loss, DurationInMilliseconds = r.DurationInMilliseconds, Error = r.Error,
        MetricLower = r.MetricLower, MetricUpper = r.MetricUpper, ValidationRows = r.ValidationRows,
    };

    internal static string ToJsonLine(TrialResult r) => new JsonObject
    {
        ["trial"] = r.TrialSettings.TrialId,
        ["parameter"] = JsonNode.Parse(r.TrialSettings.Parameter.ToJson()),
        ["metric"] = double.IsFinite(r.Metric) ? r.Metric : null,
        ["loss"] = double.IsFinite(r.Loss) ? r.Loss : null,
        ["metric_lower"] = double.IsFinite(r.MetricLower) ? r.MetricLower : null,
        ["metric_upper"] = double.IsFinite(r.MetricUpper) ? r.MetricUpper : null,
        ["validation_rows"] = r.ValidationRows > 0 ? r.ValidationRows : null,
        ["seconds"] = Math.Round(r.DurationInMilliseconds / 1000, 3),
        ["error"] = r.Error,
    }.ToJsonString();

    internal static IEnumerable<TrialResult> ReadLog(string path)
    {
        if (!File.Exists(path)) yield break;
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonObject o;
            try { o = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object"); }
            catch (JsonException) when (File.ReadLines(path).Skip(line).All(string.IsNullOrWhiteSpace))
            {
                yield break; // a line cut by a kill: that trial did not finish
            }
            catch (JsonException e) { throw new InvalidDataException($"RewardSweep: {path} line {line}: {e.Message}", e); }
            yield return new TrialResult
            {
                TrialSettings = new TrialSettings { TrialId = (int)o["trial"]!, Parameter = Parameter.FromJson((JsonObject)o["parameter"]!) },
                Metric = o["metric"] is { } m ? (double)m : double.NaN,
                Loss = o["loss"] is { } l ? (double)l : double.PositiveInfinity,
                MetricLower = o["metric_lower"] is { } lower ? (double)lower : double.NaN,
                MetricUpper = o["metric_upper"] is { } upper ? (double)upper : double.NaN,
                ValidationRows = o["validation_rows"] is { } n ? (int)n : 0,
                DurationInMilliseconds = ((double?)o["seconds"] ?? 0) * 1000,
                Error = (string?)o["error"],
            };
        }
    }
}

/// <summary>What a sweep did: every trial (resumed ones included), the best, and where the reports are.</summary>
public sealed class RewardSweepResult
{
    internal RewardSweepResult(IReadOnlyList<TrialResult> trials, string metricName, bool maximize, int resumedTrials, bool stoppedByTime, string? bestModelPath)
    {
        Trials = trials;
        MetricName = metricName;
        IsMaximize = maximize;
        ResumedTrials = resumedTrials;
        StoppedByTimeBudget = stoppedByTime;
        BestModelPath = bestModelPath;
        BestTrial = trials.Where(t => t.IsSuccess).OrderBy(t => t.Loss).ThenBy(t => t.TrialSettings.TrialId).FirstOrDefault();
    }

    /// <summary>All trials in order, finished ones from the log first.</summary>
    public IReadOnlyList<TrialResult> Trials { get; }

    /// <summary>The best successful trial, or null when none succeeded.</summary>
    public TrialResult? BestTrial { get; }

    /// <summary>The metric's name.</summary>
    public string MetricName { get; }

    /// <summary>True when larger metrics are better.</summary>
    public bool IsMaximize { get; }

    /// <summary>Trials read from the folder's log rather than run now.</summary>
    public int ResumedTrials { get; }

    /// <summary>True when the time budget ended the run.</summary>
    public bool StoppedByTimeBudget { get; }

    /// <summary>The best model's zip in the sweep folder, or null.</summary>
    public string? BestModelPath { get; }

    /// <summary>The trials best first (failed last), as the leaderboard lists them.</summary>
    public IEnumerable<TrialResult> Leaderboard => Trials.OrderBy(t => t.IsSuccess ? 0 : 1).ThenBy(t => t.Loss).ThenBy(t => t.TrialSettings.TrialId);

    /// <summary>Writes leaderboard.csv and metric.png into <paramref name="folder"/>.</summary>
    public void WriteReports(string folder)
    {
        var names = Trials.SelectMany(t => t.TrialSettings.Parameter.Keys).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", new[] { "rank", "trial" }.Concat(names).Concat([MetricName, MetricName + "_lower", MetricName + "_upper", "validation_rows", "seconds", "error"]).Select(Csv)));
        int rank = 0;
        foreach (var t in Leaderboard)
        {
            var p = t.TrialSettings.Parameter;
            var cells = new List<string> { t.IsSuccess ? (++rank).ToString(CultureInfo.InvariantCulture) : "", t.TrialSettings.TrialId.ToString(CultureInfo.InvariantCulture) };
            cells.AddRange(names.Select(n => p.TryGetValue(n, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture)! : ""));
            foreach (double value in new[] { t.Metric, t.MetricLower, t.MetricUpper })
                cells.Add(double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "");
            cells.Add(t.ValidationRows > 0 ? t.ValidationRows.ToString(CultureInfo.InvariantCulture) : "");
            cells.Add((t.DurationInMilliseconds / 1000).ToString("0.###", CultureInfo.InvariantCulture));
            cells.Add(t.Error ?? "");
            csv.AppendLine(string.Join(",", cells.Select(Csv)));
        }
        File.WriteAllText(Path.Combine(folder, "leaderboard.csv"), csv.ToString());
        SweepPlot.Write(this, Path.Combine(folder, "metric.png"));
    }

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
