using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Modeling;

/// <summary>Token embedding (<c>model.embed_tokens</c>) with an uninitialised <c>weight</c> [vocab, hidden].</summary>
public sealed class PhiEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    /// <summary>Creates the embedding with an empty weight (filled by the checkpoint).</summary>
    public PhiEmbedding(long vocab, long hidden, ScalarType dtype, Device device) : base(nameof(PhiEmbedding))
    {
        weight = new Parameter(empty([vocab, hidden], dtype, device));
        RegisterComponents();
    }

    /// <summary>The embedding matrix [vocab, hidden].</summary>
    public Parameter Weight => weight;

    /// <summary>Looks up ids [batch, seq] → [batch, seq, hidden].</summary>
    public override Tensor forward(Tensor input) =>
        weight.index_select(0, input.to(weight.device).reshape(-1)).view([.. input.shape, weight.shape[1]]);
}
