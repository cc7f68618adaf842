using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;

namespace RewardML.Tests.Persistence;

/// <summary>
/// Canaries for the internal SchemaShape members <see cref="SchemaShapeInterop"/> calls (src/RewardML/Persistence). When an
/// ML.NET upgrade breaks one, these fail naming the member; fix SchemaShapeInterop.cs (and docs/persistence.md).
/// </summary>
[TestClass]
public sealed class SchemaShapeInteropTests
{
    public static IEnumerable<object[]> Members => SchemaShapeInterop.Members.Select(m => new object[] { m.Description });

    [TestMethod]
    [DynamicData(nameof(Members))]
    public void InternalMemberExistsWithTheExpectedSignature(string description)
    {
        var (_, resolve) = SchemaShapeInterop.Members.Single(m => m.Description == description);
        Assert.IsNotNull(resolve(), $"ML.NET changed: {description} is gone; adapt src/RewardML/Persistence/SchemaShapeInterop.cs.");
    }

    [TestMethod]
    public void InternalColumnConstructorIsReachable()
    {
        var column = SchemaShapeInterop.NewColumn("Tokens", SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Int32);
        Assert.AreEqual("Tokens", column.Name);
        Assert.AreEqual(SchemaShape.Column.VectorKind.VariableVector, column.Kind);
        Assert.AreEqual(NumberDataViewType.Int32, column.ItemType);
        Assert.IsFalse(column.IsKey);
    }

    [TestMethod]
    public void NewColumnIsWhatMLNetsOwnEstimatorsDescribe()
    {
        // ML.NET's CopyColumns estimator describes its output with the same internal constructor; ours must agree with it.
        var ml = new MLContext();
        var input = SchemaShapeInterop.FromSchema(ml.Data.LoadFromEnumerable(new[] { new TextRow { Code = "x" } }).Schema);
        var copied = ml.Transforms.CopyColumns("Copy", nameof(TextRow.Code)).GetOutputSchema(input).Single(c => c.Name == "Copy");
        var ours = SchemaShapeInterop.NewColumn("Copy", SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance);
        Assert.AreEqual(copied.Kind, ours.Kind);
        Assert.AreEqual(copied.ItemType, ours.ItemType);
        Assert.AreEqual(copied.IsKey, ours.IsKey);
    }

    [TestMethod]
    public void InternalShapeFactoryIsReachableAndSkipsHiddenColumns()
    {
        var schema = new DataViewSchema.Builder();
        schema.AddColumn("Code", TextDataViewType.Instance);
        schema.AddColumn("Targets", NumberDataViewType.Single);          // hidden by the next column of the same name
        schema.AddColumn("Targets", new VectorDataViewType(NumberDataViewType.Single));
        var shape = SchemaShapeInterop.FromSchema(schema.ToSchema());
        CollectionAssert.AreEqual(new[] { "Code", "Targets" }, shape.Select(c => c.Name).ToArray());
        Assert.AreEqual(SchemaShape.Column.VectorKind.VariableVector, shape[1].Kind);
        Assert.AreEqual(NumberDataViewType.Single, shape[1].ItemType);
    }

    private sealed class TextRow
    {
        public string Code { get; set; } = "";
    }
}
