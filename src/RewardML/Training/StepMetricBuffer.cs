using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>
/// The losses and gradient norms of the steps since the last log flush, kept on the device in two buffers allocated
/// once per <c>Fit</c>: a step copies its values in and frees everything it allocated, so no tensor of one step outlives
/// it. (Keeping each step's scalar alive until the flush let it settle inside the space a freed embedding-sized buffer
/// had left, so the next step's buffer no longer fit there and the heap grew by one embedding per step.)
/// </summary>
internal sealed class StepMetricBuffer : IDisposable
{
    private readonly Tensor _losses;
    private readonly Tensor _norms;

    public StepMetricBuffer(int capacity, Device device)
    {
        Capacity = capacity;
        _losses = zeros(capacity, ScalarType.Float32, device).DetachFromDisposeScope();
        _norms = zeros(capacity, ScalarType.Float32, device).DetachFromDisposeScope();
    }

    /// <summary>Slots before a flush is needed.</summary>
    public int Capacity { get; }

    /// <summary>Copies a step's loss and norm (scalars) into <paramref name="slot"/>; call inside the step's dispose scope.</summary>
    public void Record(int slot, Tensor loss, Tensor norm)
    {
        using var _ = no_grad();
        _losses[slot].copy_(loss);
        _norms[slot].copy_(norm);
    }

    /// <summary>The first <paramref name="count"/> losses and norms, read from the device in one go.</summary>
    public (float[] Losses, float[] Norms) Read(int count)
    {
        using var scope = NewDisposeScope();
        var both = stack([_losses.narrow(0, 0, count), _norms.narrow(0, 0, count)]).cpu();
        var values = both.data<float>().ToArray();
        return (values[..count], values[count..]);
    }

    public void Dispose()
    {
        _losses.Dispose();
        _norms.Dispose();
    }
}
