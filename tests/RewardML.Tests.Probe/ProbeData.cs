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
        if (column.Type is VectorDataViewType { ItemType: NumberDataViewType } vector && vector.ItemType.RawType == typeof(float))
        {
            var get = cursor.GetGetter<VBuffer<float>>(column);
            return () => { VBuffer<float> v = default; get(ref v); return string.Join(",", v.DenseValues().Select(Bits)); };
        }
        if (column.Type.RawType == typeof(float))
        {
            var get = cursor.GetGetter<float>(column);
            return () => { float v = 0; get(ref v); return Bits(v); };
        }
        if (column.Type is TextDataViewType)
        {
            var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            return () => { ReadOnlyMemory<char> v = default; get(ref v); return v.ToString(); };
        }
        throw new NotSupportedException($"Column {column.Name}: {column.Type}");
    }

    private static string Bits(float value) => BitConverter.SingleToUInt32Bits(value).ToString("x8", CultureInfo.InvariantCulture);
}
