using RewardML.Modeling;
using RewardML.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Pretraining;

/// <summary>
/// The optimizer state of one pretraining run and its step: forward the decoder on a batch of sequences, next-token
/// cross-entropy over the kept output tokens through the tied embedding, backward, clip, AdamW (one dispose scope per step).
/// </summary>
internal sealed class PretrainingRun : IDisposable
{
    private const long IgnoredTarget = -100; // cross_entropy's ignore_index: targets outside the output vocabulary
    private readonly PhiRewardModel _model;
    private readonly OutputVocabulary _vocabulary;
    private readonly CodeLanguageModelPretrainer.Options _options;
    private readonly TouchedRowsAdamW _embedding;
    private readonly MasterWeights _masters;
    private readonly AdamW _optimizer;
    private readonly Tensor _outputIds;

    public PretrainingRun(PhiRewardModel model, OutputVocabulary vocabulary, CodeLanguageModelPretrainer.Options options)
    {
        _model = model;
        _vocabulary = vocabulary;
        _options = options;
        foreach (var (name, p) in model.named_parameters()) p.requires_grad = !PhiRewardModel.ValueHeadKeys.Contains(name);
        var embedding = model.Model.EmbedTokens.Weight;
        _embedding = new TouchedRowsAdamW(embedding, options.WeightDecay); // the LM head is the embedding: it trains here too
        _masters = new MasterWeights(model.TrainableParameters().Where(p => !ReferenceEquals(p.Parameter, embedding)).ToList());
        _optimizer = AdamWGroups.Create(_masters.Parameters.Select(p => p.Parameter).ToList(), options.LearningRate, options.WeightDecay);
        _outputIds = tensor(vocabulary.Ids.Select(i => (long)i).ToArray(), device: model.Device).DetachFromDisposeScope();
        model.train();
    }

    /// <summary>One optimizer step on <paramref name="sequences"/> at <paramref name="rate"/>; returns the batch's mean loss.</summary>
    public double Step(IReadOnlyList<int[]> sequences, double rate)
    {
        using var scope = NewDisposeScope();
        foreach (var p in _model.parameters()) p.grad = null;
        var (inputs, targets, _) = Batch(sequences);
        var (leaf, rows, local) = _embedding.Gather([inputs, _outputIds]);
        var embeddings = leaf.index_select(0, local[0].reshape(-1)).view(inputs.shape[0], inputs.shape[1], leaf.shape[1]);
        var loss = Loss(_model.Model.Forward(inputs, inputEmbeddings: embeddings).LastHidden, leaf.index_select(0, local[1]), targets);
        loss.backward();
        _masters.GradientsToMasters();
        GradientClipping.ClipByGlobalNorm(_masters.Parameters.Select(p => (Tensor)p.Parameter).Append(leaf), _options.MaxGradientNorm);
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = rate;
        _optimizer.step();
        _embedding.Step(rows, leaf, rate);
        _masters.MastersToModel();
        return loss.item<float>();
    }

    /// <summary>Mean next-token loss over <paramref name="sequences"/> (kept targets only), without gradients; NaN when there are none.</summary>
    public double ValidationLoss(IReadOnlyList<int[]> sequences)
    {
        if (sequences.Count == 0) return double.NaN;
        using var _ = no_grad();
        _model.eval();
        double sum = 0;
        long count = 0;
        using var output = _model.Model.EmbedTokens.Weight.index_select(0, _outputIds);
        foreach (var chunk in sequences.Chunk(_options.SequencesPerStep))
        {
            using var scope = NewDisposeScope();
            var (inputs, targets, kept) = Batch(chunk);
            if (kept == 0) continue; // cross_entropy over no target is NaN
            var hidden = _model.Model.Forward(inputs).LastHidden;
            sum += Loss(hidden, output, targets).item<float>() * kept;
            count += kept;
        }
        _model.train();
        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>Saves the weights and optimizer state with <paramref name="state"/> into <paramref name="folder"/>'s checkpoint (swapped in whole).</summary>
    public void SaveCheckpoint(string folder, PretrainingCheckpointState state) =>
        TrainingCheckpoint.Save(folder, state, Updated(), _optimizer, _embedding, best: null);

    /// <summary>Restores what <see cref="SaveCheckpoint"/> wrote and copies it into the model's weights.</summary>
    public void RestoreCheckpoint(string folder)
    {
        TrainingCheckpoint.Restore(folder, Updated(), _optimizer, _embedding);
        _masters.MastersToModel();
        _embedding.MasterToModel();
    }

    // What the optimizers update, by state-dict key: the dense masters and the embedding's float32 master.
    private List<(string Name, Tensor Tensor)> Updated() =>
        [.. _masters.Parameters.Select(p => (p.Name, (Tensor)p.Parameter)), (EmbeddingKey, _embedding.Master)];

    private const string EmbeddingKey = "model.embed_tokens.weight";

    /// <summary>Writes the float32 masters into the model's weights (they differ only in a lower-precision dtype) and leaves it in eval mode.</summary>
    public void Finish()
    {
        _embedding.MasterToModel();
        _masters.MastersToModel();
        _model.eval();
    }

    /// <summary>Frees the optimizer state (also when a run is cancelled or fails).</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        _masters.Dispose();
        _embedding.Dispose();
        _outputIds.Dispose();
    }

    private Tensor Loss(Tensor hidden, Tensor outputWeights, Tensor targets)
    {
        var logits = nn.functional.linear(hidden.reshape(-1, hidden.shape[^1]).to(ScalarType.Float32), outputWeights.to(ScalarType.Float32));
        return nn.functional.cross_entropy(logits, targets.reshape(-1), ignore_index: IgnoredTarget);
    }

    // Inputs are each sequence's first `length` tokens; targets its last `length`, as output-vocabulary classes; Kept counts
    // the targets inside the output vocabulary.
    private (Tensor Inputs, Tensor Targets, long Kept) Batch(IReadOnlyList<int[]> sequences)
    {
        long kept = 0;
        int length = sequences[0].Length - 1;
        var inputs = new long[sequences.Count * length];
        var targets = new long[sequences.Count * length];
        for (int s = 0; s < sequences.Count; s++)
            for (int i = 0; i < length; i++)
            {
                inputs[s * length + i] = sequences[s][i];
                int target = _vocabulary.ClassOf(sequences[s][i + 1]);
                targets[s * length + i] = target < 0 ? IgnoredTarget : target;
                if (target >= 0) kept++;
            }
        var device = _model.Device;
        return (tensor(inputs, [sequences.Count, length], device: device), tensor(targets, [sequences.Count, length], device: device), kept);
    }
}
