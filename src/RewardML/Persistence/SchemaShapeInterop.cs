using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace RewardML.Persistence;

/// <summary>
/// Builds <see cref="SchemaShape"/> values for estimators' <see cref="IEstimator{TTransformer}.GetOutputSchema"/>.
/// ML.NET 5.0.1 keeps <c>SchemaShape.Column</c>'s constructor and <c>SchemaShape.Create</c> internal (only ML.NET's
/// own estimators may describe new columns), so this calls them through <see cref="UnsafeAccessorAttribute"/>.
/// Lives beside <see cref="MLNetInternals"/>: this folder owns every use of ML.NET internals (docs/persistence.md lists
/// them). Microsoft.ML is pinned exactly in Directory.Packages.props; <c>SchemaShapeInteropTests</c> fails loudly if an
/// upgrade changes either member.
/// </summary>
internal static class SchemaShapeInterop
{
    /// <summary>The internal members called here, for the canary tests (name, parameter types, declaring type).</summary>
    internal static readonly (string Description, Func<object?> Resolve)[] Members =
    [
        ("SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape)", () =>
            typeof(SchemaShape.Column).GetConstructor(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public,
                [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)])),
        ("static SchemaShape SchemaShape.Create(DataViewSchema)", () =>
            typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public,
                [typeof(DataViewSchema)]) is { } method && method.ReturnType == typeof(SchemaShape) ? method : null),
    ];

    /// <summary>A new, non-key column without annotations.</summary>
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
