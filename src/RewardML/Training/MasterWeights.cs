using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>
/// Float32 master copies of trainable parameters kept in a lower precision (bfloat16/float16 on CUDA): the optimizer
/// updates the masters (so AdamW's moments are float32 too) and the model's weights are copied from them after each
/// step. Float32 parameters are their own masters.
/// </summary>
internal sealed class MasterWeights : IDisposable
{
    private readonly List<(Parameter Model, Parameter Master)> _pairs = [];

    public MasterWeights(IReadOnlyList<(string Name, Parameter Parameter)> trainable)
    {
        using var _ = no_grad();
        foreach (var (name, p) in trainable)
        {
            if (p.dtype == ScalarType.Float32) { Parameters.Add((name, p)); continue; }
            var master = new Parameter(p.detach().to(ScalarType.Float32).clone(), requires_grad: true);
            _pairs.Add((p, master));
            Parameters.Add((name, master));
        }
    }

    /// <summary>What the optimizer updates, by state-dict key.</summary>
    public List<(string Name, Parameter Parameter)> Parameters { get; } = [];

    /// <summary>Hands the model's gradients to the masters (as float32).</summary>
    public void GradientsToMasters()
    {
        foreach (var (model, master) in _pairs)
        {
            var grad = model.grad;
            master.grad = grad is null ? null : grad.to(ScalarType.Float32).DetachFromDisposeScope();
        }
    }

    /// <summary>Copies the updated masters into the model's weights.</summary>
    public void MastersToModel()
    {
        using var _ = no_grad();
        foreach (var (model, master) in _pairs) model.copy_(master);
    }

    public void Dispose()
    {
        foreach (var (_, master) in _pairs) master.Dispose();
    }
}
