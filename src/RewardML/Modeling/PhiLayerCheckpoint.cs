using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>
/// Gradient checkpointing of one decoder layer as a custom autograd function: the forward pass keeps only the
/// layer's input; the backward pass runs the layer again with autograd on and back-propagates through that
/// recomputation (parameter gradients accumulate there, the input gradient is returned).
/// </summary>
internal sealed class PhiLayerCheckpoint : autograd.SingleTensorFunction<PhiLayerCheckpoint>
{
    // Makes the node part of the graph even when the layer input needs no gradient (layers above a frozen stack):
    // the parameter gradients come from the recomputation, which autograd would otherwise never run.
    private static readonly Tensor Anchor = ones(1, requires_grad: true).DetachFromDisposeScope();

    public override string Name => nameof(PhiLayerCheckpoint);

    /// <summary>Runs <paramref name="layer"/> on <paramref name="hidden"/> without keeping its activations.</summary>
    public static Tensor Run(PhiDecoderLayer layer, Tensor hidden, PhiAttentionContext context)
    {
        // A frozen layer under a frozen stack has nothing to back-propagate: run it plainly.
        if (!hidden.requires_grad && !layer.parameters().Any(p => p.requires_grad)) return layer.Forward(hidden, context, null);
        return apply(hidden, Anchor, new State(layer, Keep(context)));
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var hidden = (Tensor)vars[0];
        var state = (State)vars[2];
        ctx.save_for_backward([hidden]);
        ctx.save_data("state", state);
        ctx.save_data("input_requires_grad", hidden.requires_grad);
        return state.Layer.Forward(hidden, state.Context, null);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var state = (State)ctx.get_data("state");
        bool inputNeedsGrad = (bool)ctx.get_data("input_requires_grad");
        var saved = ctx.get_saved_variables()[0];
        using (enable_grad())
        {
            var input = saved.detach().requires_grad_(inputNeedsGrad);
            var output = state.Layer.Forward(input, state.Context, null);
            autograd.backward([output], [grad_output]);
            var inputGrad = inputNeedsGrad ? input.grad : null;
            state.Dispose();
            return [inputGrad!, null!, null!];
        }
    }

    private static PhiAttentionContext Keep(PhiAttentionContext c) => new(
        c.Cos.detach().DetachFromDisposeScope(), c.Sin.detach().DetachFromDisposeScope(), c.Mask?.detach().DetachFromDisposeScope(), c.IsCausal);

    private sealed record State(PhiDecoderLayer Layer, PhiAttentionContext Context) : IDisposable
    {
        public void Dispose()
        {
            Context.Cos.Dispose();
            Context.Sin.Dispose();
            Context.Mask?.Dispose();
        }
    }
}
