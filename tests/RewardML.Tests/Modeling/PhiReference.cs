using RewardML.Modeling;
using RewardML.Runtime;
using RewardML.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace RewardML.Tests.Modeling;

/// <summary>The transformers reference outputs of a fixture (../shared/fixtures/NAME/reference.safetensors).</summary>
internal sealed class PhiReference : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors = new();

    private PhiReference(string fixture) => Fixture = fixture;

    public string Fixture { get; }

    public string CheckpointDir(string variant) => SharedFixtures.Require($"fixtures/{Fixture}/{variant}");

    public static PhiReference Load(string fixture)
    {
        TorchRuntime.EnsureInitialized();
        string path = SharedFixtures.Require($"fixtures/{fixture}/reference.safetensors");
        var reference = new PhiReference(fixture);
        using var file = SafetensorsFile.Open(path);
        foreach (var name in file.Entries.Keys) reference._tensors[name] = file.Read(name);
        return reference;
    }

    public Tensor this[string name] => _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Fixture}: reference has no '{name}'.");

    public bool Has(string name) => _tensors.ContainsKey(name);

    /// <summary>Largest |a - b| over positions where <paramref name="mask"/> [batch, seq] is 1 (all when null).</summary>
    public static double MaxAbsDiff(Tensor actual, Tensor expected, Tensor? mask = null)
    {
        using var scope = NewDisposeScope();
        Assert.IsTrue(actual.shape.SequenceEqual(expected.shape), $"shape [{string.Join(",", actual.shape)}] vs [{string.Join(",", expected.shape)}]");
        var diff = (actual.to(ScalarType.Float32).cpu() - expected.to(ScalarType.Float32)).abs();
        if (mask is not null) diff = diff * mask.to(ScalarType.Float32).unsqueeze(-1);
        return diff.max().item<float>();
    }

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
    }
}
