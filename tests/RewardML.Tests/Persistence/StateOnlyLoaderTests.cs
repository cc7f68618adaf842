using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;
using RewardML.Tests.Probe;

namespace RewardML.Tests.Persistence;

/// <summary>A loader that needs no environment may take only the state (the form stateless transforms use).</summary>
[TestClass]
public sealed class StateOnlyLoaderTests
{
    [TestMethod]
    public void ComponentWithAStateOnlyLoaderRoundTripsInAChain()
    {
        var ml = new MLContext(seed: 1);
        var data = ProbeData.Load(ml, ProbeData.SampleRows());
        var model = new TransformerChain<ITransformer>(
            ml.Transforms.Concatenate("Features", "A", "B").Fit(data), new RenameComponent("Features", "Renamed"));
        var path = PersistenceFixture.TempZip("state-only.zip");
        ml.Model.Save(model, data.Schema, path);

        var loaded = RewardMLComponents.Load(new MLContext(), path, out _);

        var chain = Assert.IsInstanceOfType<TransformerChain<ITransformer>>(loaded);
        Assert.AreEqual("Renamed", Assert.IsInstanceOfType<RenameComponent>(chain.Last()).Output);
        string dump = ProbeData.Dump(loaded.Transform(data));
        StringAssert.Contains(dump, "Renamed:Vector<Single, 4>");
        Assert.AreEqual(ProbeData.Dump(model.Transform(data)), dump);
    }

    /// <summary>Copies a column under a new name; its only state is options.json.</summary>
    private sealed class RenameComponent : IPersistableTransformer
    {
        private const string LoaderSignature = "RewardML.Tests.Rename";
        private readonly ITransformer _copy;

        public RenameComponent(string input, string output)
        {
            (Input, Output) = (input, output);
            var ml = new MLContext();
            // The copy only checks that the column exists when fitting; any type will do.
            var shape = SchemaDefinition.Create(typeof(Placeholder));
            shape[0].ColumnName = input;
            _copy = ml.Transforms.CopyColumns(output, input).Fit(ml.Data.LoadFromEnumerable(Array.Empty<Placeholder>(), shape));
        }

        public string Input { get; }
        public string Output { get; }
        public string LoaderName => LoaderSignature;
        public int StateVersion => 1;
        public void SaveState(ComponentStateWriter writer) => writer.WriteJson("options.json", new[] { Input, Output });

        [ComponentLoader(LoaderSignature, 1)]
        private static RenameComponent Load(ComponentStateReader state) =>
            state.ReadJson<string[]>("options.json") is [var input, var output] ? new(input, output) : throw new InvalidDataException(state.Source);

        void ICanSaveModel.Save(ModelSaveContext ctx) => ModelZip.Save(ctx, this);
        public bool IsRowToRowMapper => true;
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _copy.GetOutputSchema(inputSchema);
        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _copy.GetRowToRowMapper(inputSchema);
        public IDataView Transform(IDataView input) => _copy.Transform(input);

        private sealed class Placeholder
        {
            public float Value { get; set; }
        }
    }
}
