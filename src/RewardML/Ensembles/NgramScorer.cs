using Microsoft.ML;
using Microsoft.ML.Trainers;

namespace RewardML.Ensembles;

/// <summary>
/// The cheap learned scorer every reward model is measured against: word and character n-grams of the program
/// (ML.NET <c>FeaturizeText</c>) into an SDCA logistic regression. It trains in seconds on a CPU, and on real model
/// output it is a strong baseline; <see cref="NgramEnsemble"/> blends it with a reward model.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// | column | type | direction |
/// | -- | -- | -- |
/// | `Code` | text | input: the program |
/// | `Label` | Boolean | input (training): passed its tests |
/// | `NgramFeatures` | vector of Single | output: the n-gram features |
/// | `Score`, `Probability`, `PredictedLabel` | Single, Single, Boolean | output |
/// ]]></format>
/// </remarks>
public static class NgramScorer
{
    /// <summary>The features column the estimator adds.</summary>
    public const string FeaturesColumnName = "NgramFeatures";

    /// <summary>
    /// FeaturizeText over <c>Code</c> + SDCA logistic regression on <c>Label</c>. One SDCA thread: the fit is then the
    /// same on every run and machine (several threads update the weights in a racy order).
    /// </summary>
    public static IEstimator<ITransformer> Estimator(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return mlContext.Transforms.Text.FeaturizeText(FeaturesColumnName, RewardColumnNames.Code)
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = RewardColumnNames.Label, FeatureColumnName = FeaturesColumnName, NumberOfThreads = 1,
            }));
    }
}
