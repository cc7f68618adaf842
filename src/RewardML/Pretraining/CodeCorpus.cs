using System.Text;

namespace RewardML.Pretraining;

/// <summary>
/// The texts a backbone is pretrained on as a code language model: Python files found under folders (the standard
/// library every Debian machine carries, <see cref="PythonStandardLibraries"/>) and program texts given directly (a
/// training split's code). Documents keep the order they were added in; the pretrainer shuffles them by its seed.
/// </summary>
public sealed class CodeCorpus
{
    private readonly List<CodeDocument> _documents = [];

    /// <summary>The documents, in the order they were added.</summary>
    public IReadOnlyList<CodeDocument> Documents => _documents;

    /// <summary>Characters over all documents.</summary>
    public long Characters => _documents.Sum(d => (long)d.Text.Length);

    /// <summary>
    /// Adds every <c>*.py</c> file under <paramref name="path"/> (or the file itself), in ordinal path order; folders named
    /// <c>site-packages</c>, <c>dist-packages</c> and <c>__pycache__</c> are skipped (installed packages differ from machine
    /// to machine), as are empty files and files that are not UTF-8.
    /// </summary>
    /// <returns>This corpus.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="path"/> is neither a file nor a folder.</exception>
    public CodeCorpus AddPythonFiles(string path)
    {
        IEnumerable<string> files = File.Exists(path) ? [path]
            : Directory.Exists(path) ? Directory.EnumerateFiles(path, "*.py", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar).Any(SkippedFolders.Contains))
                .Order(StringComparer.Ordinal)
            : throw new DirectoryNotFoundException($"Corpus '{path}': no such file or folder.");
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        foreach (string file in files)
        {
            string text;
            try
            {
                text = strict.GetString(File.ReadAllBytes(file));
            }
            catch (Exception e) when (e is DecoderFallbackException or IOException or UnauthorizedAccessException)
            {
                continue; // a file we cannot read as text is not a loss: the corpus is a sample of code
            }
            if (text.Length > 0) _documents.Add(new CodeDocument(file, text));
        }
        return this;
    }

    /// <summary>Adds program texts (e.g. the <c>Code</c> column of training rows) named <paramref name="source"/>#i; empty ones are skipped.</summary>
    /// <returns>This corpus.</returns>
    public CodeCorpus AddTexts(string source, IEnumerable<string> texts)
    {
        int i = 0;
        foreach (string text in texts)
        {
            if (!string.IsNullOrEmpty(text)) _documents.Add(new CodeDocument($"{source}#{i}", text));
            i++;
        }
        return this;
    }

    /// <summary>Adds the newest Python standard library of this machine (<see cref="PythonStandardLibraries"/>).</summary>
    /// <returns>False when this machine has none (nothing is added).</returns>
    public bool AddPythonStandardLibrary()
    {
        var found = PythonStandardLibraries();
        if (found.Count > 0) AddPythonFiles(found[0]);
        return found.Count > 0;
    }

    /// <summary>
    /// The Python standard library folders on this machine (<c>/usr/lib/python3.N</c>, <c>/usr/local/lib/python3.N</c>
    /// holding <c>os.py</c>), newest version first; empty when there is none.
    /// </summary>
    public static IReadOnlyList<string> PythonStandardLibraries() =>
        new[] { "/usr/lib", "/usr/local/lib" }
            .Where(Directory.Exists)
            .SelectMany(root => Directory.EnumerateDirectories(root, "python3.*"))
            .Where(d => File.Exists(Path.Combine(d, "os.py")) && Version.TryParse(Path.GetFileName(d)["python".Length..], out _))
            .OrderByDescending(d => Version.Parse(Path.GetFileName(d)["python".Length..]))
            .ToList();

    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal) { "site-packages", "dist-packages", "__pycache__" };
}

/// <summary>One text of a <see cref="CodeCorpus"/>.</summary>
/// <param name="Source">Where it came from: a file path, or a source name with the row number.</param>
/// <param name="Text">The text.</param>
public sealed record CodeDocument(string Source, string Text);
