using Microsoft.ML;
using Microsoft.ML.Data;
using RewardML.Persistence;

namespace RewardML.Transforms;

internal sealed class TextColumnType : RowColumnType<string>
{
    public override DataViewType OutputType => TextDataViewType.Instance;
    public override bool Accepts(DataViewType type) => type is TextDataViewType;
    public override bool Accepts(SchemaShape.Column shape) => shape.Kind == SchemaShape.Column.VectorKind.Scalar && shape.ItemType is TextDataViewType;
    public override SchemaShape.Column OutputShape(string name) => SchemaShapeInterop.NewColumn(name, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance);
    public override string ToString() => "text";

    public override Func<string> CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> buffer = default;
        return () =>
        {
            getter(ref buffer);
            return buffer.ToString();
        };
    }

    public override Delegate CreateGetter(Func<string> current) =>
        (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = current().AsMemory());
}

internal sealed class TextVectorColumnType : RowColumnType<string[]>
{
    public override DataViewType OutputType { get; } = new VectorDataViewType(TextDataViewType.Instance);
    public override bool Accepts(DataViewType type) => type is VectorDataViewType { ItemType: TextDataViewType };
    public override bool Accepts(SchemaShape.Column shape) => shape.Kind != SchemaShape.Column.VectorKind.Scalar && shape.ItemType is TextDataViewType;
    public override SchemaShape.Column OutputShape(string name) => SchemaShapeInterop.NewColumn(name, SchemaShape.Column.VectorKind.VariableVector, TextDataViewType.Instance);
    public override string ToString() => "vector<text>";

    public override Func<string[]> CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
        VBuffer<ReadOnlyMemory<char>> buffer = default;
        return () =>
        {
            getter(ref buffer);
            var items = new ReadOnlyMemory<char>[buffer.Length];
            buffer.CopyTo(items);
            return Array.ConvertAll(items, item => item.ToString());
        };
    }

    public override Delegate CreateGetter(Func<string[]> current) =>
        (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) =>
        {
            string[] value = current();
            var editor = VBufferEditor.Create(ref dst, value.Length);
            for (int i = 0; i < value.Length; i++) editor.Values[i] = value[i].AsMemory();
            dst = editor.Commit();
        });
}

internal sealed class VectorColumnType<TItem>(PrimitiveDataViewType itemType, string displayName) : RowColumnType<TItem[]>
{
    public override DataViewType OutputType { get; } = new VectorDataViewType(itemType);
    public override bool Accepts(DataViewType type) => type is VectorDataViewType vector && vector.ItemType.Equals(itemType);
    public override bool Accepts(SchemaShape.Column shape) => shape.Kind != SchemaShape.Column.VectorKind.Scalar && itemType.Equals(shape.ItemType) && !shape.IsKey;
    public override SchemaShape.Column OutputShape(string name) => SchemaShapeInterop.NewColumn(name, SchemaShape.Column.VectorKind.VariableVector, itemType);
    public override string ToString() => displayName;

    public override Func<TItem[]> CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<TItem>>(column);
        VBuffer<TItem> buffer = default;
        return () =>
        {
            getter(ref buffer);
            var items = new TItem[buffer.Length];
            buffer.CopyTo(items);
            return items;
        };
    }

    public override Delegate CreateGetter(Func<TItem[]> current) =>
        (ValueGetter<VBuffer<TItem>>)((ref VBuffer<TItem> dst) =>
        {
            TItem[] value = current();
            var editor = VBufferEditor.Create(ref dst, value.Length);
            value.CopyTo(editor.Values);
            dst = editor.Commit();
        });
}

internal sealed class ScalarColumnType<T>(PrimitiveDataViewType type, string displayName) : RowColumnType<T>
{
    public override DataViewType OutputType => type;
    public override bool Accepts(DataViewType candidate) => candidate.Equals(type);
    public override bool Accepts(SchemaShape.Column shape) => shape.Kind == SchemaShape.Column.VectorKind.Scalar && type.Equals(shape.ItemType) && !shape.IsKey;
    public override SchemaShape.Column OutputShape(string name) => SchemaShapeInterop.NewColumn(name, SchemaShape.Column.VectorKind.Scalar, type);
    public override string ToString() => displayName;

    public override Func<T> CreateReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return value;
        };
    }

    public override Delegate CreateGetter(Func<T> current) => (ValueGetter<T>)((ref T dst) => dst = current());
}
