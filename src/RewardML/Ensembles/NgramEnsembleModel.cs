using Microsoft.ML;
using Microsoft.ML.Data;

namespace RewardML.Ensembles;

/// <summary>A fitted <see cref="NgramEnsemble"/>: the chain to save and score with, and the blend it learnt.</summary>
/// <param name="Model">The whole chain: reward model, n-gram model, blend.</param>
/// <param name="RewardModelWeight">Weight of the reward model's logit in the blend's logit.</param>
/// <param name="NgramWeight">Weight of the n-gram model's score.</param>
/// <param name="Bias">The blend's bias.</param>
/// <param name="ValidationRows">The validation rows the blend was fitted on.</param>
public sealed record NgramEnsembleModel(TransformerChain<ITransformer> Model, float RewardModelWeight, float NgramWeight, float Bias, int ValidationRows)
{
    /// <summary>One line: how the blend weighs the two scores.</summary>
    public override string ToString() =>
        $"logit = {RewardModelWeight:0.###} × reward model + {NgramWeight:0.###} × n-grams {(Bias < 0 ? "−" : "+")} {Math.Abs(Bias):0.###} (fitted on {ValidationRows} validation rows)";
}
