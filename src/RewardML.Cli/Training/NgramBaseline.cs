using Microsoft.ML;

namespace RewardML.Cli.Training;

/// <summary>
/// The cheap learned baseline <c>train --baseline</c> fits beside the reward model: word and character n-grams of the
/// program (ML.NET <c>FeaturizeText</c>) into an SDCA logistic regression. Scoring the same rows with it shows whether
/// the reward model beats a bag-of-n-grams.
/// </summary>
internal static class NgramBaseline
{
    public static void Fit(MLContext ml, IDataView train, string path)
    {
        var pipeline = ml.Transforms.Text.FeaturizeText("Features", RewardColumnNames.Code)
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(RewardColumnNames.Label, "Features"));
        var model = pipeline.Fit(train);
        ml.Model.Save(model, train.Schema, path);
    }
}
