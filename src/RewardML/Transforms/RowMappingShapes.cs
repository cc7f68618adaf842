using Microsoft.ML;

namespace RewardML.Transforms;

/// <summary>Estimator-side schema propagation for row-mapping transformers (<see cref="IEstimator{TTransformer}.GetOutputSchema"/>).</summary>
internal static class RowMappingShapes
{
    /// <summary>
    /// Checks that <paramref name="input"/> has every required input column with an acceptable shape, then returns it
    /// with the output columns added (replacing input columns of the same name).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong shape; the message names it.</exception>
    public static SchemaShape Extend(string component, SchemaShape input, IEnumerable<InputColumn> inputs, IEnumerable<OutputColumn> outputs)
    {
        ArgumentNullException.ThrowIfNull(input);
        var byName = input.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var column in inputs)
        {
            if (!byName.TryGetValue(column.Name, out var shape))
            {
                if (column.Optional) continue;
                throw new ArgumentOutOfRangeException(nameof(input),
                    $"{component}: input column '{column.Name}' was not found (expected {column.Type}); the data has: {string.Join(", ", byName.Keys)}.");
            }
            if (!column.Type.Accepts(shape))
                throw new ArgumentOutOfRangeException(nameof(input),
                    $"{component}: input column '{column.Name}' has shape {Describe(shape)}; expected {column.Type}.");
        }

        var outputList = outputs.ToList();
        var outputNames = outputList.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return new SchemaShape(input.Where(c => !outputNames.Contains(c.Name)).Concat(outputList.Select(c => c.Type.OutputShape(c.Name))));
    }

    private static string Describe(SchemaShape.Column shape) =>
        shape.Kind == SchemaShape.Column.VectorKind.Scalar ? $"{shape.ItemType}" : $"{shape.Kind}<{shape.ItemType}>";
}
