using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Transforms;

namespace RewardML.Tests.Transforms;

/// <summary>Fails loudly if an ML.NET upgrade changes the internal constructor <see cref="SchemaShapeInterop"/> calls.</summary>
[TestClass]
public sealed class SchemaShapeInteropTests
{
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
    public void InternalShapeFactoryIsReachable()
    {
        var schema = new DataViewSchema.Builder();
        schema.AddColumn("Code", TextDataViewType.Instance);
        schema.AddColumn("Targets", new VectorDataViewType(NumberDataViewType.Single));
        var shape = SchemaShapeInterop.FromSchema(schema.ToSchema());
        CollectionAssert.AreEqual(new[] { "Code", "Targets" }, shape.Select(c => c.Name).ToArray());
        Assert.AreEqual(SchemaShape.Column.VectorKind.VariableVector, shape[1].Kind);
        Assert.AreEqual(NumberDataViewType.Single, shape[1].ItemType);
    }
}
