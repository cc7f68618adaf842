using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>
/// AdamW for the token embedding that updates only the rows a step's batches use (a "lazy" AdamW, like PyTorch's
/// <c>SparseAdam</c> with decoupled weight decay). A step gathers the rows it touches into a small leaf tensor
/// [touched, hidden] that the forward pass reads its embeddings from, so the backward pass makes a gradient of that
/// size instead of one of the whole vocabulary, and the update reads and writes those rows only.
/// </summary>
/// <remarks>
/// Differences from dense AdamW (<see cref="EmbeddingUpdate.Dense"/>), where every row sees every step: a row a step
/// does not touch keeps its first and second moments undecayed, does not move (dense AdamW keeps moving it by its
/// decaying momentum), and gets no weight decay that step. Rows touched at every step are updated exactly as dense
/// AdamW would; the bias corrections use the global step count, as dense AdamW's do. The gradient norm for clipping
/// is the same (untouched rows have zero gradient).
/// </remarks>
internal sealed class TouchedRowsAdamW : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly Parameter _weight;
    private readonly Tensor _master;
    private readonly Tensor _expAvg;
    private readonly Tensor _expAvgSq;
    private readonly double _weightDecay;

    public TouchedRowsAdamW(Parameter weight, double weightDecay)
    {
        using var _ = no_grad();
        _weight = weight;
        _weight.requires_grad = false; // the forward reads the touched rows' leaf, never the weight
        _master = weight.dtype == ScalarType.Float32 ? weight : weight.detach().to(ScalarType.Float32).clone().DetachFromDisposeScope();
        _expAvg = zeros_like(_master).DetachFromDisposeScope();
        _expAvgSq = zeros_like(_master).DetachFromDisposeScope();
        _weightDecay = weightDecay;
    }

    /// <summary>Optimizer steps taken (the bias corrections' t).</summary>
    public long Steps { get; private set; }

    /// <summary>The float32 weights the update works on (the embedding itself when it is float32).</summary>
    public Tensor Master => _master;

    /// <summary>
    /// The rows a step touches: <paramref name="ids"/> are the step's token-id tensors (one per micro-batch); returns the
    /// leaf [touched, hidden] in the model's dtype (requires grad), the touched row ids, and per micro-batch the ids
    /// renumbered into the leaf's rows. Call inside the step's dispose scope.
    /// </summary>
    public (Tensor Leaf, Tensor Rows, List<Tensor> LocalIds) Gather(IReadOnlyList<Tensor> ids)
    {
        var flat = cat(ids.Select(i => i.reshape(-1)).ToList(), 0);
        var (rows, inverse, _) = unique(flat, sorted: true, return_inverse: true);
        var local = new List<Tensor>();
        long offset = 0;
        foreach (var i in ids)
        {
            local.Add(inverse!.narrow(0, offset, i.numel()).view(i.shape));
            offset += i.numel();
        }
        Tensor leaf;
        using (no_grad()) leaf = _master.index_select(0, rows).to(_weight.dtype);
        leaf.requires_grad = true;
        return (leaf, rows, local);
    }

    /// <summary>AdamW on the touched rows from the leaf's gradient (already clipped); no-op without a gradient.</summary>
    public void Step(Tensor rows, Tensor leaf, double learningRate)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (leaf.grad is not { } grad) return;
        Steps++;
        var g = grad.to(ScalarType.Float32);
        var w = _master.index_select(0, rows);
        double correction1 = 1 - Math.Pow(Beta1, Steps), correction2 = 1 - Math.Pow(Beta2, Steps);
        // Scalars held to the end of the update: TorchSharp's implicit ones may be finalized mid-call (see KeptScalars).
        using Scalar beta1 = Beta1.ToScalar(), beta2 = Beta2.ToScalar(), gradientShare = (1 - Beta1).ToScalar(), squareShare = (1 - Beta2).ToScalar(),
            decay = (1 - learningRate * _weightDecay).ToScalar(), rootCorrection = Math.Sqrt(correction2).ToScalar(), epsilon = Epsilon.ToScalar(),
            one = 1.ToScalar(), step = (-learningRate / correction1).ToScalar();
        var m = _expAvg.index_select(0, rows).mul_(beta1).add_(g, gradientShare);
        var v = _expAvgSq.index_select(0, rows).mul_(beta2).addcmul_(g, g, squareShare);
        if (_weightDecay > 0) w.mul_(decay);
        var denominator = v.sqrt().div_(rootCorrection).add_(epsilon, one);
        w.addcdiv_(m, denominator, step);
        _expAvg.index_copy_(0, rows, m);
        _expAvgSq.index_copy_(0, rows, v);
        _master.index_copy_(0, rows, w);
        if (!ReferenceEquals(_master, _weight)) _weight.index_copy_(0, rows, w.to(_weight.dtype));
    }

    /// <summary>Copies the whole float32 master into the model's weight (after a checkpoint restore or keeping the best epoch).</summary>
    public void MasterToModel()
    {
        using var _ = no_grad();
        if (!ReferenceEquals(_master, _weight)) _weight.copy_(_master);
    }

    /// <summary>The state to checkpoint: moments and the step count.</summary>
    public Dictionary<string, Tensor> State() => new()
    {
        ["exp_avg"] = _expAvg, ["exp_avg_sq"] = _expAvgSq, ["step"] = tensor((double)Steps), // float64: safetensors reading takes float types only; exact below 2^53
    };

    /// <summary>Restores <see cref="State"/>.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        _expAvg.copy_(state["exp_avg"]);
        _expAvgSq.copy_(state["exp_avg_sq"]);
        Steps = (long)state["step"].item<double>();
    }

    public void Dispose()
    {
        _expAvg.Dispose();
        _expAvgSq.Dispose();
        if (!ReferenceEquals(_master, _weight)) _master.Dispose();
    }
}
