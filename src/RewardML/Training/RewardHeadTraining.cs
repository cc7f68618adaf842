using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Runtime;
using RewardML.Modeling;
using RewardML.Scoring;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>
/// One <c>Fit</c> of the reward head: builds the model, plans the batches, runs the optimizer steps (zero_grad → forward →
/// weighted BCE → backward → clip → AdamW step, one dispose scope per step), validates per epoch, checkpoints and resumes,
/// and returns the scoring transformer. The exact semantics are in docs/training.md.
/// </summary>
internal sealed class RewardHeadTraining(RewardHeadTrainer.Options options, IChannel? channel, IProgress<RewardHeadProgress>? progress, CancellationToken cancellation)
{
    public RewardHeadTransformer Run(List<RewardExample> train, List<RewardExample>? validation)
    {
        var (items, withoutPositions) = TrainingItem.From(train, options.Targets, options.BalanceClasses);
        if (withoutPositions > 0)
            channel?.Warning(MessageSensitivity.None, $"RewardHead: {withoutPositions} of {train.Count} training rows have no scored position inside the token window and contribute nothing (raise TokenizeForReward's MaxLength to keep them).");
        if (items.Count == 0)
            throw new InvalidDataException($"RewardHead: the training data has no row with a scored position ({train.Count} rows; {withoutPositions} without a position in the window).");
        if (items.Sum(i => (double)i.Weight) <= 0) throw new InvalidDataException("RewardHead: every training row has weight 0.");
        if (options.BalanceClasses && options.ProblemIdColumnName is not null && train.All(r => r.ProblemId is null))
            channel?.Info(MessageSensitivity.None, $"RewardHead: no '{options.ProblemIdColumnName}' column; class balancing treats all rows as one problem.");

        var backbone = options.Backbone!;
        var model = backbone.Create(options.Compute, new PhiRewardModelOptions { ValueHeadDropout = options.ValueHeadDropout, ValueHeadSeed = options.Seed });
        try
        {
            return Train(model, backbone, items, withoutPositions, validation);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private RewardHeadTransformer Train(PhiRewardModel model, RewardBackbone backbone, List<TrainingItem> items, int withoutPositions, List<RewardExample>? validation)
    {
        int layers = Math.Min(options.TrainableLayers, model.Config.NumHiddenLayers);
        model.FreezeAllButLastLayers(layers);
        bool trainEmbeddings = options.TrainEmbeddings ?? backbone.TrainsLikeTiny;
        var embedding = model.Model.EmbedTokens.Weight;
        if (trainEmbeddings) embedding.requires_grad = true;
        model.Model.GradientCheckpointing = options.GradientCheckpointing;
        model.train();
        var trainable = model.TrainableParameters();
        // The touched-rows update takes the embedding out of the dense AdamW (and out of the master copies): it owns its state.
        using var embeddingOptimizer = trainEmbeddings && options.EmbeddingUpdate == EmbeddingUpdate.TouchedRows ? new TouchedRowsAdamW(embedding, options.WeightDecay) : null;
        using var masters = new MasterWeights(embeddingOptimizer is null ? trainable : trainable.Where(p => !ReferenceEquals(p.Parameter, embedding)).ToList());
        using var optimizer = CreateOptimizer(masters.Parameters);
        var updated = masters.Parameters.Select(p => (p.Name, (Tensor)p.Parameter)).ToList();
        if (embeddingOptimizer is not null) updated.Add((trainable.First(p => ReferenceEquals(p.Parameter, embedding)).Name, embeddingOptimizer.Master));

        var lengths = items.Select(i => i.Length).ToList();
        var epochs = Enumerable.Range(0, options.NumberOfEpochs)
            .Select(e => BatchPlanner.Plan(lengths, options.BatchSize, options.MaxTokensPerBatch, options.Shuffle, options.Seed, e).Chunk(options.GradientAccumulationSteps).ToList())
            .ToList();
        int planned = epochs.Sum(e => e.Count);
        int total = options.MaxSteps is { } max ? Math.Min(max, planned) : planned;

        string runKey = RunKey(items, model.Config);
        var state = new TrainingCheckpoint.State(runKey, 0, 0, [], null, double.NaN, 0, false);
        Dictionary<string, Tensor>? best = null;
        int? resumedFrom = null;
        if (options.CheckpointFolder is { } folder && TrainingCheckpoint.TryLoadState<TrainingCheckpoint.State>(folder, runKey) is { } saved)
        {
            state = saved;
            best = TrainingCheckpoint.Restore(folder, updated, optimizer, embeddingOptimizer);
            masters.MastersToModel();
            embeddingOptimizer?.MasterToModel();
            resumedFrom = saved.Step;
            channel?.Info(MessageSensitivity.None, $"RewardHead: resuming from {folder} at step {saved.Step} of {total}.");
        }

        using var log = new TrainingStepLog(options.LogFile, state.Step);
        var clock = Stopwatch.StartNew();
        int stepsThisRun = 0;
        var pending = new List<PendingStep>();
        using var stepMetrics = new StepMetricBuffer(Math.Max(1, Math.Min(options.LoggingSteps, total)), model.Device);
        long tokensSinceReport = 0;
        double reportStart = 0;
        int step = state.Step;

        for (int epoch = state.EpochsDone; epoch < epochs.Count && step < total && !state.StoppedEarly; epoch++)
        {
            int firstStepOfEpoch = epochs.Take(epoch).Sum(e => e.Count);
            double epochLossSum = 0;
            int epochLossCount = 0;
            for (int s = step - firstStepOfEpoch; s < epochs[epoch].Count && step < total; s++)
            {
                if (cancellation.IsCancellationRequested)
                {
                    Flush(pending, stepMetrics, log, total, epochs.Count, ref tokensSinceReport, ref reportStart, clock, stepsThisRun, step);
                    if (options.CheckpointFolder is { } f) TrainingCheckpoint.Save(f, state with { Step = step }, updated, optimizer, embeddingOptimizer, best);
                    cancellation.ThrowIfCancellationRequested();
                }
                double started = clock.Elapsed.TotalSeconds;
                double rate = options.LearningRate * LearningRateFactor.At(options.Schedule, step, options.WarmupSteps, total);
                long tokens = OptimizerStep(model, masters, optimizer, embeddingOptimizer, epochs[epoch][s].Select(b => b.Select(k => items[k]).ToList()).ToList(), rate, stepMetrics, pending.Count);
                step++;
                stepsThisRun++;
                pending.Add(new PendingStep(step, epoch + 1, rate, tokens, clock.Elapsed.TotalSeconds - started));
                tokensSinceReport += tokens;
                if (step % options.LoggingSteps == 0 || step == total || pending.Count == stepMetrics.Capacity)
                    (epochLossSum, epochLossCount) = Add((epochLossSum, epochLossCount), Flush(pending, stepMetrics, log, total, epochs.Count, ref tokensSinceReport, ref reportStart, clock, stepsThisRun, step));
                if (options.CheckpointFolder is { } every && step % options.CheckpointSteps == 0 && s + 1 < epochs[epoch].Count)
                    TrainingCheckpoint.Save(every, state with { Step = step }, updated, optimizer, embeddingOptimizer, best);
            }
            (epochLossSum, epochLossCount) = Add((epochLossSum, epochLossCount), Flush(pending, stepMetrics, log, total, epochs.Count, ref tokensSinceReport, ref reportStart, clock, stepsThisRun, step));
            bool epochComplete = step == firstStepOfEpoch + epochs[epoch].Count;
            if (!epochComplete) break; // MaxSteps ended the run inside the epoch

            double meanLoss = epochLossCount == 0 ? double.NaN : epochLossSum / epochLossCount;
            var metrics = validation is { Count: > 0 } ? ValidationEvaluation.Metrics(model, validation, options) : null;
            var results = new List<RewardHeadEpochResult>(state.Epochs) { new(epoch + 1, meanLoss, metrics) };
            state = state with { Step = step, EpochsDone = epoch + 1, Epochs = results };
            if (metrics is not null)
            {
                double value = metrics[options.SelectionMetric];
                if (options.SelectionMetric.IsBetter(value, state.BestMetric))
                {
                    DisposeAll(best);
                    best = options.KeepBestEpoch ? updated.ToDictionary(p => p.Name, p => p.Item2.detach().clone().DetachFromDisposeScope()) : null;
                    state = state with { BestEpoch = epoch + 1, BestMetric = value, EpochsWithoutImprovement = 0 };
                }
                else
                {
                    state = state with { EpochsWithoutImprovement = state.EpochsWithoutImprovement + 1 };
                    if (options.EarlyStoppingPatience > 0 && state.EpochsWithoutImprovement >= options.EarlyStoppingPatience)
                    {
                        state = state with { StoppedEarly = true };
                        channel?.Info(MessageSensitivity.None, $"RewardHead: early stop after epoch {epoch + 1}: {options.SelectionMetric} has not improved for {state.EpochsWithoutImprovement} epochs.");
                    }
                }
                channel?.Info(MessageSensitivity.None, $"RewardHead: epoch {epoch + 1}: training loss {meanLoss:0.#####}, validation " +
                              string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value:0.####}")));
                progress?.Report(new RewardHeadProgress(step, total, epoch + 1, epochs.Count, meanLoss, 0, 0, 0, clock.Elapsed, Remaining(clock, stepsThisRun, step, total), metrics));
            }
            if (options.CheckpointFolder is { } folderAtEpoch) TrainingCheckpoint.Save(folderAtEpoch, state, updated, optimizer, embeddingOptimizer, best);
        }

        int? keptEpoch = null;
        if (best is not null && options.KeepBestEpoch && state.BestEpoch is { } bestEpoch)
        {
            using (no_grad())
                foreach (var (name, p) in updated) p.copy_(best[name]);
            masters.MastersToModel();
            embeddingOptimizer?.MasterToModel();
            keptEpoch = bestEpoch;
        }
        DisposeAll(best);

        double temperature = 1;
        if (options.Calibrate)
        {
            if (validation is { Count: > 0 })
                temperature = TemperatureCalibration.Fit(ValidationEvaluation.Scores(model, validation, options).Select(TemperatureCalibration.Logit).ToArray(),
                    validation.Select(r => r.Label).ToArray());
            else
                channel?.Warning(MessageSensitivity.None, "RewardHead: Calibrate needs validation data; the model is left uncalibrated.");
        }

        model.eval();
        var transformer = new RewardHeadTransformer(model, ScoringOptions(temperature), Record(model, backbone, trainable.Select(p => p.Name)));
        transformer.TrainingSummary = new RewardHeadTrainingSummary(step, total, state.Epochs, keptEpoch, state.StoppedEarly, resumedFrom, items.Count, withoutPositions, temperature);
        return transformer;
    }

    // One optimizer step inside one dispose scope; its loss and gradient norm go to `metrics[slot]`, so nothing it allocates outlives it.
    private long OptimizerStep(PhiRewardModel model, MasterWeights masters, AdamW optimizer, TouchedRowsAdamW? embeddingOptimizer, List<List<TrainingItem>> microBatches,
        double rate, StepMetricBuffer metrics, int slot)
    {
        using var scope = NewDisposeScope();
        foreach (var p in model.parameters()) p.grad = null; // cheaper than zero_grad's zero fill: backward allocates fresh gradients
        double stepWeight = microBatches.Sum(b => b.Sum(i => (double)i.Weight));
        var device = model.Device;
        var loss = zeros(1, ScalarType.Float32, device).squeeze();
        long tokens = 0;
        var batches = microBatches.Select(micro => RewardBatch.Collate(micro, stepWeight, device)).ToList();
        try
        {
            var (rows, rowIds, localIds) = embeddingOptimizer?.Gather(batches.Select(b => b.InputIds).ToList()) ?? default;
            for (int k = 0; k < batches.Count; k++)
            {
                var batch = batches[k];
                var embeddings = rows is null ? null : rows.index_select(0, localIds![k].reshape(-1)).view([.. batch.InputIds.shape, rows.shape[1]]);
                using var output = model.Forward(batch.InputIds, inputEmbeddings: embeddings, queryPositions: batch.QueryPositions);
                var part = batch.Loss(output.ValueLogits);
                if (stepWeight > 0) part.backward();
                loss = KeptScalars.Plus(loss, part.detach());
                tokens += batch.Tokens;
            }
            masters.GradientsToMasters();
            var gradients = masters.Parameters.Select(p => (Tensor)p.Parameter);
            var norm = GradientClipping.ClipByGlobalNorm(rows is null ? gradients : gradients.Append(rows), options.MaxGradientNorm);
            if (stepWeight > 0)
            {
                foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
                optimizer.step();
                if (rows is not null) embeddingOptimizer!.Step(rowIds!, rows, rate);
                masters.MastersToModel();
            }
            metrics.Record(slot, loss, norm);
        }
        finally
        {
            foreach (var b in batches) b.Dispose();
        }
        return tokens;
    }


    private sealed record PendingStep(int Step, int Epoch, double Rate, long Tokens, double Seconds);

    private static (double Sum, int Count) Add((double Sum, int Count) a, (double Sum, int Count) b) => (a.Sum + b.Sum, a.Count + b.Count);

    // Reads the pending losses and norms (one device sync per report), writes them to the log and reports progress;
    // returns the sum and count of the losses read (for the epoch's mean).
    private (double Sum, int Count) Flush(List<PendingStep> pending, StepMetricBuffer metrics, TrainingStepLog log,
        int total, int epochs, ref long tokensSinceReport, ref double reportStart, Stopwatch clock, int stepsThisRun, int step)
    {
        if (pending.Count == 0) return (0, 0);
        var (losses, norms) = metrics.Read(pending.Count);
        double lossSum = 0, lastNorm = 0;
        for (int i = 0; i < pending.Count; i++)
        {
            var p = pending[i];
            double loss = losses[i];
            lastNorm = norms[i];
            lossSum += loss;
            log.Write(p.Step, p.Epoch, loss, p.Rate, lastNorm, p.Tokens, p.Seconds);
        }
        var last = pending[^1];
        double now = clock.Elapsed.TotalSeconds, seconds = Math.Max(1e-9, now - reportStart);
        double meanLoss = lossSum / pending.Count, tokensPerSecond = tokensSinceReport / seconds;
        var remaining = Remaining(clock, stepsThisRun, step, total);
        channel?.Info(MessageSensitivity.None, $"RewardHead: step {last.Step}/{total} epoch {last.Epoch}/{epochs} loss {meanLoss:0.#####} lr {last.Rate:0.###e0} {tokensPerSecond:0} tokens/s, {remaining:hh\\:mm\\:ss} left");
        progress?.Report(new RewardHeadProgress(last.Step, total, last.Epoch, epochs, meanLoss, last.Rate, lastNorm, tokensPerSecond, clock.Elapsed, remaining));
        int count = pending.Count;
        pending.Clear();
        tokensSinceReport = 0;
        reportStart = now;
        return (lossSum, count);
    }

    private static TimeSpan Remaining(Stopwatch clock, int stepsThisRun, int step, int total) =>
        stepsThisRun == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / stepsThisRun * Math.Max(0, total - step));

    private AdamW CreateOptimizer(List<(string Name, Parameter Parameter)> parameters) =>
        AdamWGroups.Create(parameters.Select(p => p.Parameter).ToList(), options.LearningRate, options.WeightDecay);

    private RewardHeadScoringOptions ScoringOptions(double temperature) => new()
    {
        TokensColumnName = options.TokensColumnName,
        StepTokenEndsColumnName = options.StepTokenEndsColumnName,
        StepScoresColumnName = options.StepScoresColumnName,
        ScoreColumnName = options.ScoreColumnName,
        ProbabilityColumnName = options.ProbabilityColumnName,
        PredictedLabelColumnName = options.PredictedLabelColumnName,
        Aggregation = options.Aggregation,
        Temperature = temperature,
        Threshold = options.Threshold,
        BatchSize = options.BatchSize,
        MaxTokensPerBatch = options.MaxTokensPerBatch,
        Compute = options.Compute,
    };

    private RewardHeadModelStore.BackboneRecord Record(PhiRewardModel model, RewardBackbone backbone, IEnumerable<string> trainable)
    {
        bool embed = backbone.TrainsLikeTiny || options.EmbedBackbone;
        string? fingerprint = backbone.IsTiny ? null : CheckpointFingerprint.Of(backbone.Path!);
        var keys = trainable.Concat(PhiRewardModel.ValueHeadKeys).Distinct().ToList();
        return new RewardHeadModelStore.BackboneRecord(backbone, fingerprint, embed, keys, model.Options.ValueHeadDropout);
    }

    // Identifies the run a checkpoint belongs to: the rows as the loss sees them and every option that shapes the steps.
    private string RunKey(List<TrainingItem> items, PhiConfig config)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var item in items)
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(item.Example.Tokens.AsSpan(0, item.Length)));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(item.Positions.AsSpan()));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(item.Targets.AsSpan()));
            hash.AppendData(BitConverter.GetBytes(item.Weight));
        }
        var shaping = new
        {
            options.Backbone, options.TrainableLayers, options.TrainEmbeddings, options.EmbeddingUpdate, options.Targets, options.NumberOfEpochs, options.MaxSteps, options.LearningRate,
            options.Schedule, options.WarmupSteps, options.WeightDecay, options.MaxGradientNorm, options.BatchSize, options.MaxTokensPerBatch,
            options.GradientAccumulationSteps, options.Shuffle, options.BalanceClasses, options.ValueHeadDropout, options.Seed, options.Compute.DType,
            options.SelectionMetric, options.KeepBestEpoch, options.EarlyStoppingPatience, Config = config.ToJson(),
        };
        hash.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(shaping)));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void DisposeAll(Dictionary<string, Tensor>? tensors)
    {
        if (tensors is null) return;
        foreach (var t in tensors.Values) t.Dispose();
    }
}
