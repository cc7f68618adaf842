using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace RewardML.Tests.Probe;

/// <summary>Rows the persistence tests push through a pipeline, and an exact text dump of a transformed view.</summary>
public static class ProbeData
{
    public sealed class Row
    {
        [VectorType(2)] public float[] A { get; set; } = [];
        [VectorType(2)] public float[] B { get; set; } = [];
        public string Name { get; set; } = "";
    }

    public static Row[] SampleRows() =>
    [
        new() { A = [0.1f, -2.5f], B = [3.25f, 1e-3f], Name = "first" },
        new() { A = [7f, 0.333f], B = [-0.75f, 12.5f], Name = "second" },
        new() { A = [-1.5e4f, 2f / 3f], B = [float.Epsilon, -9.99f], Name = "third" },
    ];

    public static IDataView Load(MLContext ml, IEnumerable<Row> rows) => ml.Data.LoadFromEnumerable(rows);

    public static string ToJson(IEnumerable<Row> rows) => JsonSerializer.Serialize(rows);

    public static Row[] FromJson(string json) => JsonSerializer.Deserialize<Row[]>(json)!;

    /// <summary>Every visible column, row by row; floats as their exact bit patterns so equal text means identical output.</summary>
    public static string Dump(IDataView view)
    {
        var text = new StringBuilder();
        var columns = view.Schema.Where(c => !c.IsHidden).ToArray();
        text.AppendLine(string.Join(" | ", columns.Select(c => $"{c.Name}:{c.Type}")));
        using var cursor = view.GetRowCursor(columns);
        var getters = columns.Select(c => Getter(cursor, c)).ToArray();
        while (cursor.MoveNext())
            text.AppendLine(string.Join(" | ", getters.Select(g => g())));
        return text.ToString();
    }

    private static Func<string> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var type = column.Type is VectorDataViewType vector ? vector.ItemType : column.Type;
        Func<string> getter = type.RawType switch
        {
            var t when t == typeof(float) => Getter<float>(cursor, column, Bits),
            var t when t == typeof(int) => Getter<int>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(bool) => Getter<bool>(cursor, column, v => v ? "true" : "false"),
            var t when t == typeof(ReadOnlyMemory<char>) => Getter<ReadOnlyMemory<char>>(cursor, column, v => JsonSerializer.Serialize(v.ToString())),
            _ => throw new NotSupportedException($"Column {column.Name}: {column.Type}"),
        };
        return getter;
    }

    /// <summary>A scalar as its text; a vector as [item,item,...] (all items, so lengths count too).</summary>
    private static Func<string> Getter<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, string> format)
    {
        if (column.Type is VectorDataViewType)
        {
            var getVector = cursor.GetGetter<VBuffer<T>>(column);
            return () => { VBuffer<T> v = default; getVector(ref v); return "[" + string.Join(",", v.DenseValues().Select(format)) + "]"; };
        }
        var get = cursor.GetGetter<T>(column);
        return () => { T v = default!; get(ref v); return format(v); };
    }

    private static string Bits(float value) => BitConverter.SingleToUInt32Bits(value).ToString("x8", CultureInfo.InvariantCulture);
}
