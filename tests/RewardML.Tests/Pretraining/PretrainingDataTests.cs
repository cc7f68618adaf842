using System.Text;
using RewardML.Pretraining;
using RewardML.Tokenization;

namespace RewardML.Tests.Pretraining;

/// <summary>The pretraining corpus: which files it reads, how it becomes sequences, which tokens the loss predicts.</summary>
[TestClass]
public sealed class PretrainingDataTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateDir() => _dir = Directory.CreateTempSubdirectory("pretraining-data-").FullName;

    [TestCleanup]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private void Write(string relative, byte[] bytes)
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    [TestMethod]
    public void PythonFilesAreReadInPathOrderAndInstalledPackagesCachesEmptyAndNonUtf8FilesAreSkipped()
    {
        Write("sub/b.py", Encoding.UTF8.GetBytes("b = 2\n"));
        Write("a.py", Encoding.UTF8.GetBytes("a = 1\n"));
        Write("lib/site-packages/c.py", Encoding.UTF8.GetBytes("c = 3\n"));
        Write("lib/dist-packages/d.py", Encoding.UTF8.GetBytes("d = 4\n"));
        Write("__pycache__/e.py", Encoding.UTF8.GetBytes("e = 5\n"));
        Write("empty.py", []);
        Write("latin1.py", [0x78, 0x20, 0x3D, 0x20, 0x27, 0xE9, 0x27, 0x0A]); // x = 'é' in Latin-1: not UTF-8
        Write("notes.txt", Encoding.UTF8.GetBytes("not python\n"));

        var corpus = new CodeCorpus().AddPythonFiles(_dir).AddTexts("rows", ["print(1)\n", "", "print(2)\n"]);

        CollectionAssert.AreEqual(new[] { "a.py", "sub/b.py" }, corpus.Documents.Take(2).Select(d => Path.GetRelativePath(_dir, d.Source)).ToArray());
        CollectionAssert.AreEqual(new[] { "a = 1\n", "b = 2\n", "print(1)\n", "print(2)\n" }, corpus.Documents.Select(d => d.Text).ToArray());
        CollectionAssert.AreEqual(new[] { "rows#0", "rows#2" }, corpus.Documents.Skip(2).Select(d => d.Source).ToArray(), "rows keep their numbers; the empty one is skipped");
        Assert.AreEqual(corpus.Documents.Sum(d => (long)d.Text.Length), corpus.Characters);
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => new CodeCorpus().AddPythonFiles(Path.Combine(_dir, "missing")));
    }

    [TestMethod]
    public void SequencesAreWholeDocumentsJoinedByEndOfTextInASeededOrderWithTheTailHeldOut()
    {
        var documents = Enumerable.Range(0, 40).Select(SyntheticPython.Module).ToList();
        var corpus = new CodeCorpus().AddTexts("modules", documents);
        var tokenizer = RewardTokenizer.Phi4;
        const int length = 32;

        var packed = PackedSequences.Pack(corpus, tokenizer, length, trainSequences: 60, validationSequences: 5, seed: 1);

        Assert.AreEqual(60, packed.Train.Count);
        Assert.AreEqual(5, packed.Validation.Count);
        Assert.IsTrue(packed.Train.Concat(packed.Validation).All(s => s.Length == length + 1), "each sequence holds its inputs and one more target");
        // Decoded in order, training then validation, the sequences are one stream: documents separated by <|endoftext|>.
        string stream = tokenizer.Decode(packed.Train.Concat(packed.Validation).SelectMany(s => s));
        var pieces = stream.Split("<|endoftext|>");
        Assert.IsGreaterThan(2, pieces.Length, "several documents fill 65 sequences");
        foreach (string piece in pieces[..^1]) CollectionAssert.Contains(documents, piece, "every complete piece is one whole document");
        Assert.IsLessThanOrEqualTo(packed.Documents, pieces.Length - 1, "only the documents read are in the stream");
        Assert.IsLessThanOrEqualTo(packed.Characters, pieces[..^1].Sum(p => (long)p.Length), "the characters read cover the complete documents");

        var again = PackedSequences.Pack(corpus, tokenizer, length, 60, 5, seed: 1);
        CollectionAssert.AreEqual(packed.Train[0], again.Train[0], "the same seed gives the same order");
        var other = PackedSequences.Pack(corpus, tokenizer, length, 60, 5, seed: 2);
        Assert.AreNotEqual(pieces[0], tokenizer.Decode(other.Train.SelectMany(s => s)).Split("<|endoftext|>")[0], "another seed starts with another document");
    }

    [TestMethod]
    public void ACorpusTooSmallForOneTrainingAndOneValidationSequenceIsRefusedSayingSo()
    {
        var corpus = new CodeCorpus().AddTexts("rows", ["x = 1\n"]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PackedSequences.Pack(corpus, RewardTokenizer.Phi4, 64, 10, 2, seed: 0));
        StringAssert.Contains(e.Message, "1 documents make 0 sequences of 65 tokens");
    }

    [TestMethod]
    public void TheOutputVocabularyKeepsTheMostFrequentTargetsAndCountsTheirShare()
    {
        // Targets (every token but the first of each sequence): 2, 2, 3, 2, 3, 3, 7 → 2 and 3 three times each, 7 once.
        int[][] sequences = [[1, 2, 2, 3], [5, 2, 3, 3, 7]];
        var two = OutputVocabulary.Count(sequences, vocabularySize: 10, size: 2);
        CollectionAssert.AreEqual(new[] { 2, 3 }, two.Ids, "most frequent first, ties by id");
        Assert.AreEqual(6.0 / 7, two.Coverage, 1e-12);
        Assert.AreEqual(0, two.ClassOf(2));
        Assert.AreEqual(1, two.ClassOf(3));
        Assert.AreEqual(-1, two.ClassOf(7), "a rarer target is left out");
        Assert.AreEqual(-1, two.ClassOf(1), "a token never a target is left out");

        var all = OutputVocabulary.Count(sequences, 10, size: 100);
        CollectionAssert.AreEqual(new[] { 2, 3, 7 }, all.Ids, "no more than the distinct targets");
        Assert.AreEqual(1.0, all.Coverage, 1e-12);
    }
}
