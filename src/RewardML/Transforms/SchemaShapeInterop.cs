using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace RewardML.Transforms;

/// <summary>
/// Builds <see cref="SchemaShape"/> values for estimators' <see cref="IEstimator{TTransformer}.GetOutputSchema"/>.
/// ML.NET 5.0.1 keeps <c>SchemaShape.Column</c>'s constructor and <c>SchemaShape.Create</c> internal (only ML.NET's
/// own estimators may describe new columns), so this calls them through <see cref="UnsafeAccessorAttribute"/>. Microsoft.ML is pinned exactly in Directory.Packages.props;
/// <c>SchemaShapeInteropTests</c> fails loudly if an upgrade changes the constructor.
/// </summary>
internal static class SchemaShapeInterop
{
    public static SchemaShape.Column NewColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType) =>
        ColumnConstructor(name, kind, itemType, isKey: false, annotations: null);

    /// <summary>The shape of <paramref name="schema"/>'s visible columns (what an estimator sees of a data view).</summary>
    public static SchemaShape FromSchema(DataViewSchema schema) => CreateShape(null, schema);

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "Create")]
    private static extern SchemaShape CreateShape(SchemaShape? declaringType, DataViewSchema schema);

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern SchemaShape.Column ColumnConstructor(
        string name, SchemaShape.Column.VectorKind vecKind, DataViewType itemType, bool isKey, SchemaShape? annotations);
}
