using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using RewardML.Persistence;

namespace RewardML.Tests.Probe;

/// <summary>
/// Test-only persistable transformer with options AND trained weights: <c>Output = Input ⊙ Weights + Bias</c> on a
/// float vector column. Transform delegates to an ML.NET CustomMapping built from the state.
/// </summary>
public sealed class ScaleShiftTransformer : ITransformer, IPersistableTransformer
{
    public const string LoaderSignature = "RewardML.Tests.ScaleShift";
    public const int CurrentStateVersion = 1;

    public sealed class Options
    {
        public string InputColumnName { get; set; } = "Features";
        public string OutputColumnName { get; set; } = "Scaled";
        public float Bias { get; set; }
        public string Note { get; set; } = "";
    }

    private readonly ITransformer _mapping;

    public ScaleShiftTransformer(Options options, float[] weights, int trainedOnRows)
    {
        Settings = options;
        Weights = weights;
        TrainedOnRows = trainedOnRows;
        var ml = new MLContext(seed: 0);
        var input = SchemaDefinition.Create(typeof(VectorIn));
        input[0].ColumnName = options.InputColumnName;
        input[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, weights.Length);
        var output = SchemaDefinition.Create(typeof(VectorOut));
        output[0].ColumnName = options.OutputColumnName;
        output[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, weights.Length);
        float[] w = weights.ToArray();
        float bias = options.Bias;
        _mapping = ml.Transforms.CustomMapping<VectorIn, VectorOut>((src, dst) =>
            {
                dst.Values = new float[w.Length];
                for (int i = 0; i < w.Length; i++) dst.Values[i] = src.Values[i] * w[i] + bias;
            }, contractName: null, input, output)
            .Fit(ml.Data.LoadFromEnumerable(Array.Empty<VectorIn>(), input));
    }

    /// <summary>"Trains" the weights: 1 / (1 + mean |x_j|) per slot, so they carry non-trivial bits.</summary>
    public static ScaleShiftTransformer Train(IDataView data, Options options)
    {
        var column = data.Schema[options.InputColumnName];
        var rows = data.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToArray();
        int size = ((VectorDataViewType)column.Type).Size;
        var weights = Enumerable.Range(0, size).Select(j => 1f / (1f + rows.Average(r => MathF.Abs(r[j])))).ToArray();
        return new ScaleShiftTransformer(options, weights, rows.Length);
    }

    public Options Settings { get; }
    public float[] Weights { get; }
    public int TrainedOnRows { get; }

    public string LoaderName => LoaderSignature;
    public int StateVersion => CurrentStateVersion;

    public void SaveState(ComponentStateWriter writer)
    {
        writer.WriteJson("options.json", Settings);
        writer.WriteStream("weights.safetensors", stream => stream.Write(TinySafetensors.WriteF32("weight", Weights)));
        writer.WriteJson("training/summary.json", new TrainingSummary(TrainedOnRows));
    }

    [ComponentLoader(LoaderSignature, CurrentStateVersion)]
    internal static ScaleShiftTransformer Load(IHostEnvironment env, ComponentStateReader state) =>
        new(state.ReadJson<Options>("options.json"),
            state.ReadStream("weights.safetensors", stream => TinySafetensors.ReadF32(ReadAll(stream), "weight")),
            state.ReadJson<TrainingSummary>("training/summary.json").Rows);

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed record TrainingSummary(int Rows);

    void ICanSaveModel.Save(ModelSaveContext ctx) => ModelZip.Save(ctx, this);

    public bool IsRowToRowMapper => true;
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _mapping.GetOutputSchema(inputSchema);
    public IDataView Transform(IDataView input) => _mapping.Transform(input);
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _mapping.GetRowToRowMapper(inputSchema);

    private sealed class VectorIn
    {
        public float[] Values { get; set; } = [];
    }

    private sealed class VectorOut
    {
        public float[] Values { get; set; } = [];
    }
}
