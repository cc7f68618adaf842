using Microsoft.ML;
using Microsoft.ML.Data;

namespace RewardML.Transforms;

/// <summary>
/// A column type a row-mapping transformer reads or writes, with the .NET value its mapper sees
/// (text → <see cref="string"/>, vector&lt;int&gt; → <c>int[]</c>, ...). Converting between ML.NET's buffers
/// (<see cref="ReadOnlyMemory{T}"/>, <see cref="VBuffer{T}"/>) and plain values happens here and nowhere else.
/// </summary>
internal abstract class RowColumnType
{
    public static readonly RowColumnType<string> Text = new TextColumnType();
    public static readonly RowColumnType<string[]> TextVector = new TextVectorColumnType();
    public static readonly RowColumnType<int[]> Int32Vector = new VectorColumnType<int>(NumberDataViewType.Int32, "vector<int>");
    public static readonly RowColumnType<float[]> SingleVector = new VectorColumnType<float>(NumberDataViewType.Single, "vector<float>");
    public static readonly RowColumnType<int> Int32 = new ScalarColumnType<int>(NumberDataViewType.Int32, "int");
    public static readonly RowColumnType<float> Single = new ScalarColumnType<float>(NumberDataViewType.Single, "float");
    public static readonly RowColumnType<bool> Boolean = new ScalarColumnType<bool>(BooleanDataViewType.Instance, "bool");

    /// <summary>The type of an output column of this kind (vectors have variable length).</summary>
    public abstract DataViewType OutputType { get; }

    /// <summary>Whether an input column of type <paramref name="type"/> can be read as this kind.</summary>
    public abstract bool Accepts(DataViewType type);

    /// <summary>Whether an estimator's input column shape can be read as this kind.</summary>
    public abstract bool Accepts(SchemaShape.Column shape);

    /// <summary>The shape of an output column of this kind, for <see cref="IEstimator{TTransformer}.GetOutputSchema"/>.</summary>
    public abstract SchemaShape.Column OutputShape(string name);

    /// <summary>An array of the mapper-side value type, <c>T[]</c>.</summary>
    public abstract Array NewValueArray(int length);
}

/// <summary>A column kind whose mapper-side value is <typeparamref name="T"/>.</summary>
internal abstract class RowColumnType<T> : RowColumnType
{
    /// <summary>A declared input column of this kind.</summary>
    public InputColumn<T> Input(string name, bool optional = false) => new(name, this, optional);

    /// <summary>A declared output column of this kind.</summary>
    public OutputColumn<T> Output(string name) => new(name, this);

    /// <summary>A function that reads <paramref name="column"/> of the row's current position as a fresh value.</summary>
    public abstract Func<T> CreateReader(DataViewRow row, DataViewSchema.Column column);

    /// <summary>A <see cref="ValueGetter{TValue}"/> over ML.NET's raw type that writes the value <paramref name="current"/> returns.</summary>
    public abstract Delegate CreateGetter(Func<T> current);

    /// <inheritdoc/>
    public override Array NewValueArray(int length) => new T[length];
}
