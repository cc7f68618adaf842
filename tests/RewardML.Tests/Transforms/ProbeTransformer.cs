using Microsoft.ML;
using RewardML.Persistence;
using RewardML.Transforms;

namespace RewardML.Tests.Transforms;

/// <summary>
/// A small row-mapping transformer for testing the base: each output is a simple function of the code text whose
/// expected value the tests compute on their own. Records every block it maps.
/// </summary>
internal sealed class ProbeTransformer : RowMappingTransformerBase
{
    private readonly InputColumn<string> _code;
    private readonly InputColumn<int[]> _marks;
    private readonly OutputColumn<string> _upper;
    private readonly OutputColumn<string[]> _words;
    private readonly OutputColumn<int[]> _wordLengths;
    private readonly OutputColumn<float[]> _halfLengths;
    private readonly OutputColumn<float> _length;
    private readonly OutputColumn<bool> _hasDigit;
    private readonly int _blockSize;

    public ProbeTransformer(string codeColumn = "Code", int blockSize = 1, string upperColumn = "Upper")
        : base("Probe")
    {
        _code = RowColumnType.Text.Input(codeColumn);
        _marks = RowColumnType.Int32Vector.Input("Marks", optional: true);
        _upper = RowColumnType.Text.Output(upperColumn);
        _words = RowColumnType.TextVector.Output("Words");
        _wordLengths = RowColumnType.Int32Vector.Output("WordLengths");
        _halfLengths = RowColumnType.SingleVector.Output("HalfLengths");
        _length = RowColumnType.Single.Output("Length");
        _hasDigit = RowColumnType.Boolean.Output("HasDigit");
        _blockSize = blockSize;
        Inputs = [_code, _marks];
        Outputs = [_upper, _words, _wordLengths, _halfLengths, _length, _hasDigit];
    }

    /// <summary>Sizes of the blocks mapped so far, across all mappers (thread-safe).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int> BlockSizes { get; } = new();

    /// <summary>Whether the optional Marks column was present in each mapped row, and its values.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int[]?> MarksSeen { get; } = new();

    internal override IReadOnlyList<InputColumn> Inputs { get; }
    internal override IReadOnlyList<OutputColumn> Outputs { get; }
    public override string LoaderName => "RewardML.Tests.Probe";
    public override int StateVersion => 1;
    public override void SaveState(ComponentStateWriter writer) => writer.WriteJson("options.json", new { _blockSize });

    internal override RowBlockMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this);

    private sealed class Mapper(ProbeTransformer owner) : RowBlockMapper
    {
        public override int PreferredBlockSize => owner._blockSize;

        public override void Map(RowBlock block)
        {
            owner.BlockSizes.Enqueue(block.Count);
            for (int row = 0; row < block.Count; row++)
            {
                string code = block.Get(owner._code, row);
                owner.MarksSeen.Enqueue(block.IsPresent(owner._marks) ? block.Get(owner._marks, row) : null);
                string[] words = code.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                block.Set(owner._upper, row, code.ToUpperInvariant());
                block.Set(owner._words, row, words);
                block.Set(owner._wordLengths, row, words.Select(w => w.Length).ToArray());
                block.Set(owner._halfLengths, row, words.Select(w => w.Length / 2f).ToArray());
                block.Set(owner._length, row, code.Length);
                block.Set(owner._hasDigit, row, code.Any(char.IsAsciiDigit));
            }
        }
    }
}
