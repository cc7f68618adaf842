using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Tests.Probe;

namespace RewardML.Tests.Persistence;

/// <summary>Builds the pipelines the persistence tests save, and edits saved zips the way damage or a newer RewardML would.</summary>
internal static class PersistenceFixture
{
    public static readonly ScaleShiftTransformer.Options Options = new() { Bias = 0.125f, Note = "ünïcode ✓" };

    /// <summary>ML.NET Concatenate → our ScaleShift (trained on the rows) → ML.NET CopyColumns.</summary>
    public static (ITransformer Model, IDataView Data) MixedChain(MLContext ml)
    {
        var data = ProbeData.Load(ml, ProbeData.SampleRows());
        var concat = ml.Transforms.Concatenate("Features", "A", "B").Fit(data);
        var features = concat.Transform(data);
        var scale = ScaleShiftTransformer.Train(features, Options);
        var copy = ml.Transforms.CopyColumns("ScaledCopy", "Scaled").Fit(scale.Transform(features));
        return (new TransformerChain<ITransformer>(concat, scale, copy), data);
    }

    /// <summary>Our transformer alone, over data that already has the Features column.</summary>
    public static (ITransformer Model, IDataView Data) Alone(MLContext ml)
    {
        var data = ml.Transforms.Concatenate("Features", "A", "B").Fit(ProbeData.Load(ml, ProbeData.SampleRows()))
            .Transform(ProbeData.Load(ml, ProbeData.SampleRows()));
        return (ScaleShiftTransformer.Train(data, Options), data);
    }

    public static string TempZip(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "rewardml-persistence-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    public static string SaveMixedChain()
    {
        var ml = new MLContext(seed: 1);
        var (model, data) = MixedChain(ml);
        var path = TempZip("reward.zip");
        ml.Model.Save(model, data.Schema, path);
        return path;
    }

    /// <summary>The zip directory holding our component (found by its manifest, not by ML.NET's naming).</summary>
    public static string ComponentDirectory(ZipArchive zip) =>
        zip.Entries.Select(e => e.FullName.Replace('\\', '/')).Single(n => n.EndsWith("/component.json", StringComparison.Ordinal))[..^"/component.json".Length];

    public static byte[] ReadEntry(ZipArchive zip, string fullName)
    {
        var entry = zip.Entries.Single(e => e.FullName.Replace('\\', '/') == fullName);
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Rewrites one entry of our component in place (same zip otherwise).</summary>
    public static void RewriteComponentEntry(string path, string entryName, Func<byte[], byte[]> change)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        string fullName = $"{ComponentDirectory(zip)}/{entryName}";
        var bytes = change(ReadEntry(zip, fullName));
        zip.Entries.Single(e => e.FullName.Replace('\\', '/') == fullName).Delete();
        using var stream = zip.CreateEntry(fullName).Open();
        stream.Write(bytes);
    }

    /// <summary>
    /// Runs tests/RewardML.Tests.Probe (built beside this assembly) with the same dotnet host, in a new process, with this
    /// process's libtorch thread count (OMP_NUM_THREADS): a model saved with the default thread count then computes there
    /// exactly what it computed here, so its outputs can be compared to the bit.
    /// </summary>
    public static (int ExitCode, string Output) RunProbe(params string[] args)
    {
        string probe = Path.Combine(AppContext.BaseDirectory, "RewardML.Tests.Probe.dll");
        Assert.IsTrue(File.Exists(probe), $"probe not built at {probe}");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(probe);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        TestAssemblySetup.ShareTorchThreads(start);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, stdout + stderr.Result);
    }
}
