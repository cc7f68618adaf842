using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RewardML.Training;

/// <summary>The AdamW both trainers use: β 0.9/0.999, ε 1e-8, weight decay only on 2-D weight matrices, never on biases or norm weights.</summary>
internal static class AdamWGroups
{
    public static AdamW Create(IReadOnlyList<Parameter> parameters, double learningRate, double weightDecay)
    {
        var decay = parameters.Where(p => p.dim() == 2).ToList();
        var noDecay = parameters.Where(p => p.dim() != 2).ToList();
        var groups = new List<AdamW.ParamGroup>();
        if (decay.Count > 0) groups.Add(new AdamW.ParamGroup(decay, new AdamW.Options { weight_decay = weightDecay }));
        if (noDecay.Count > 0) groups.Add(new AdamW.ParamGroup(noDecay, new AdamW.Options { weight_decay = 0 }));
        return optim.AdamW(groups, lr: learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: weightDecay);
    }
}
