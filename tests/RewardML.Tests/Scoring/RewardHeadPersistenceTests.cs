using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using RewardML.Modeling;
using RewardML.Persistence;
using RewardML.Scoring;
using RewardML.Tests.Shared;
using RewardML.Tests.Training;
using RewardML.Training;

namespace RewardML.Tests.Scoring;

/// <summary>Saving and loading a reward head trained on a checkpoint backbone (a copy of fixtures/phi4-tiny/fp32).</summary>
[TestClass]
public sealed class RewardHeadPersistenceTests
{
    private sealed class StepScoresRow
    {
        public float[] StepScores { get; set; } = [];
    }

    private static string TempPath(string name) => Path.Combine(Path.GetTempPath(), $"rewardml-persist-{Guid.NewGuid():N}-{name}");

    /// <summary>A private copy of the tiny Phi checkpoint that a test may delete or edit.</summary>
    private static string CopyCheckpoint()
    {
        string source = SharedFixtures.Require("fixtures/phi4-tiny/fp32");
        string copy = TempPath("phi4-tiny");
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    private static void DeleteQuietly(params string[] paths)
    {
        foreach (string path in paths)
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
        }
    }

    /// <summary>Trains 2 steps on the checkpoint at <paramref name="checkpoint"/> and saves the model; returns the data, the model and the zip path.</summary>
    private static (IDataView Data, RewardHeadTransformer Model, string Zip) TrainAndSave(MLContext ml, string checkpoint, bool embedBackbone = false)
    {
        var data = SyntheticRewardData.View(ml, SyntheticRewardData.Rows(8, seed: 31)); // token ids < 41, inside the fixture's vocabulary of 512
        var model = ml.BinaryClassification.Trainers.RewardHead(new RewardHeadTrainer.Options
        {
            Backbone = RewardBackbone.FromCheckpoint(checkpoint),
            TrainableLayers = 1,
            MaxSteps = 2,
            BatchSize = 4,
            LearningRate = 1e-3,
            EmbedBackbone = embedBackbone,
            Compute = new() { Device = "cpu" },
        }).Fit(data);
        Assert.AreEqual(2, model.TrainingSummary!.Steps, $"the fit ran {model.TrainingSummary.Steps} steps, expected MaxSteps 2");
        string zip = TempPath("model.zip");
        ml.Model.Save(model, data.Schema, zip);
        return (data, model, zip);
    }

    private static float[][] StepScores(MLContext ml, ITransformer model, IDataView data) =>
        ml.Data.CreateEnumerable<StepScoresRow>(model.Transform(data), reuseRowObject: false).Select(r => r.StepScores).ToArray();

    private static void AssertSameScores(float[][] expected, float[][] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: {actual.Length} rows, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i], actual[i],
                $"{what}, row {i}: [{string.Join(", ", actual[i])}] instead of [{string.Join(", ", expected[i])}]");
    }

    private static ITransformer Load(string zip)
    {
        var ml = RewardMLComponents.Register(new MLContext(5));
        return ml.Model.Load(zip, out _);
    }

    /// <summary>Loading fails through ML.NET's own Load (an InvalidDataException under its reflection wrapper) and through RewardMLComponents.Load (naming the zip).</summary>
    private static (InvalidDataException Plain, InvalidDataException Helper) LoadFails(string zip)
    {
        var wrapped = Assert.Throws<Exception>(() => Load(zip));
        var plain = Assert.IsInstanceOfType<InvalidDataException>(wrapped.GetBaseException(), $"ml.Model.Load failed with {wrapped.GetBaseException().GetType().Name}: {wrapped.GetBaseException().Message}");
        var helper = Assert.ThrowsExactly<InvalidDataException>(() => RewardMLComponents.Load(new MLContext(), zip, out _));
        StringAssert.StartsWith(helper.Message, $"{zip}: ", $"RewardMLComponents.Load does not name the zip first: {helper.Message}");
        return (plain, helper);
    }

    [TestMethod]
    public void ZipRefersToTheBaseCheckpointAndLoadsWithIdenticalStepScores()
    {
        string checkpoint = CopyCheckpoint();
        var ml = new MLContext(1);
        var (data, model, zip) = TrainAndSave(ml, checkpoint);
        try
        {
            long zipBytes = new FileInfo(zip).Length, baseBytes = new FileInfo(Path.Combine(checkpoint, "model.safetensors")).Length;
            Assert.IsTrue(zipBytes * 2 < baseBytes, $"the zip has {zipBytes} bytes, the checkpoint's model.safetensors {baseBytes}: the zip should hold the trained layer and head only");
            using (var archive = ZipFile.OpenRead(zip))
            {
                var names = archive.Entries.Select(e => e.FullName).ToList();
                Assert.IsTrue(names.Any(n => n.EndsWith("/trainable.safetensors", StringComparison.Ordinal)), $"no trainable.safetensors entry: {string.Join(", ", names)}");
                Assert.IsFalse(names.Any(n => n.EndsWith("/model.safetensors", StringComparison.Ordinal)), $"the full model is in the zip: {string.Join(", ", names)}");
            }

            var expected = StepScores(ml, model, data);
            var loaded = Load(zip);
            var restored = Assert.IsInstanceOfType<RewardHeadTransformer>(loaded, $"loaded a {loaded.GetType().Name}");
            AssertSameScores(expected, StepScores(ml, loaded, data), "loaded from the zip");
            Assert.AreEqual(checkpoint, restored.Backbone.Path, "the loaded model's backbone path");
            restored.Dispose();
        }
        finally
        {
            model.Dispose();
            DeleteQuietly(checkpoint, zip);
        }
    }

    [TestMethod]
    public void LoadWithoutTheBaseCheckpointNamesItsPath()
    {
        string checkpoint = CopyCheckpoint();
        var ml = new MLContext(1);
        var (_, model, zip) = TrainAndSave(ml, checkpoint);
        model.Dispose();
        try
        {
            Directory.Delete(checkpoint, recursive: true);

            var (plain, helper) = LoadFails(zip);

            foreach (var (how, error) in new[] { ("ml.Model.Load", plain), ("RewardMLComponents.Load", helper) })
            {
                StringAssert.Contains(error.Message, $"the base checkpoint {checkpoint} is missing", $"{how}: {error.Message}");
                StringAssert.Contains(error.Message, RewardHeadModelStore.BaseCheckpointVariable, $"{how} does not say how to point at a copy: {error.Message}");
                StringAssert.Contains(error.Message, "component '", $"{how} does not name the component in the zip: {error.Message}");
            }
        }
        finally { DeleteQuietly(checkpoint, zip); }
    }

    [TestMethod]
    public void LoadOnAChangedBaseCheckpointNamesBothFingerprints()
    {
        string checkpoint = CopyCheckpoint();
        var ml = new MLContext(1);
        var (_, model, zip) = TrainAndSave(ml, checkpoint);
        model.Dispose();
        try
        {
            string trainedOn = CheckpointFingerprint.Of(checkpoint);
            string configPath = Path.Combine(checkpoint, "config.json");
            var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
            config["rms_norm_eps"] = 1e-6;
            File.WriteAllText(configPath, config.ToJsonString());
            string changed = CheckpointFingerprint.Of(checkpoint);
            Assert.AreNotEqual(trainedOn, changed, "editing config.json did not change the fingerprint");

            var (plain, helper) = LoadFails(zip);

            foreach (var (how, error) in new[] { ("ml.Model.Load", plain), ("RewardMLComponents.Load", helper) })
            {
                StringAssert.Contains(error.Message, checkpoint, $"{how} does not name the base checkpoint: {error.Message}");
                StringAssert.Contains(error.Message, $"(fingerprint {changed})", $"{how} does not give the found fingerprint: {error.Message}");
                StringAssert.Contains(error.Message, $"(fingerprint {trainedOn})", $"{how} does not give the trained-on fingerprint: {error.Message}");
            }
        }
        finally { DeleteQuietly(checkpoint, zip); }
    }

    [TestMethod]
    [DoNotParallelize] // sets a process-wide environment variable
    public void BaseCheckpointVariablePointsTheZipAtACopyElsewhere()
    {
        string checkpoint = CopyCheckpoint();
        string elsewhere = CopyCheckpoint();
        var ml = new MLContext(1);
        var (data, model, zip) = TrainAndSave(ml, checkpoint);
        var expected = StepScores(ml, model, data);
        model.Dispose();
        try
        {
            Directory.Delete(checkpoint, recursive: true);
            Environment.SetEnvironmentVariable(RewardHeadModelStore.BaseCheckpointVariable, elsewhere);
            try
            {
                var loaded = Load(zip);
                AssertSameScores(expected, StepScores(ml, loaded, data), $"loaded with {RewardHeadModelStore.BaseCheckpointVariable}={elsewhere}");
                ((IDisposable)loaded).Dispose();
            }
            finally
            {
                Environment.SetEnvironmentVariable(RewardHeadModelStore.BaseCheckpointVariable, null);
            }

            var (plain, _) = LoadFails(zip);
            StringAssert.Contains(plain.Message, checkpoint, $"without the variable the load should look for the original path again: {plain.Message}");
        }
        finally { DeleteQuietly(checkpoint, elsewhere, zip); }
    }

    [TestMethod]
    public void EmbeddedBackboneLoadsAfterTheBaseIsDeletedWithIdenticalStepScores()
    {
        string checkpoint = CopyCheckpoint();
        var ml = new MLContext(1);
        var (data, model, zip) = TrainAndSave(ml, checkpoint, embedBackbone: true);
        var expected = StepScores(ml, model, data);
        model.Dispose();
        try
        {
            using (var archive = ZipFile.OpenRead(zip))
            {
                var names = archive.Entries.Select(e => e.FullName).ToList();
                Assert.IsTrue(names.Any(n => n.EndsWith("/model.safetensors", StringComparison.Ordinal)), $"EmbedBackbone saved no model.safetensors: {string.Join(", ", names)}");
            }
            Directory.Delete(checkpoint, recursive: true);

            var loaded = Load(zip);

            AssertSameScores(expected, StepScores(ml, loaded, data), "loaded self-contained zip without the base");
            ((IDisposable)loaded).Dispose();
        }
        finally { DeleteQuietly(checkpoint, zip); }
    }
}
