namespace RewardML.Cli;

/// <summary>Path checks shared by the verbs, run from <c>Validate()</c> so a wrong path is a usage error (exit 2) that says what the path is.</summary>
internal static class CliPaths
{
    /// <summary>
    /// Null when <paramref name="path"/> is a checkpoint folder; otherwise what it is instead: a file, missing, or a folder
    /// whose subfolders hold checkpoints ("did you mean fp32/ or bf16-sharded/?").
    /// </summary>
    public static string? CheckpointError(string flag, string path)
    {
        try
        {
            RewardML.Training.CheckpointFolder.Require(path);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"{flag} {e.Message}";
        }
    }

    /// <summary>Null unless <paramref name="path"/> is an existing directory where a file is to be written.</summary>
    public static string? OutputFileError(string flag, string? path) =>
        !string.IsNullOrWhiteSpace(path) && Directory.Exists(path)
            ? $"{flag} {path}: is a directory; give a file path (e.g. {Path.Combine(path, "out.jsonl")})."
            : null;

    /// <summary>
    /// Null unless an output of the command is, or resolves to (symlink, hard link), one of its inputs; the one check
    /// every verb with inputs and outputs runs before it writes anything, so nothing the user gave is overwritten.
    /// </summary>
    /// <param name="outputs">Every file the command writes (with sidecars such as OUT.errors.csv), by flag.</param>
    /// <param name="inputs">Every file or folder it reads, by flag; for a folder, the files a model or problems folder is
    /// read from (<see cref="FolderInputPatterns"/>) count as inputs.</param>
    public static string? OutputClashError(IEnumerable<(string Flag, string? Path)> outputs, IEnumerable<(string Flag, string? Path)> inputs)
    {
        var given = inputs.Where(i => !string.IsNullOrWhiteSpace(i.Path)).ToList();
        foreach (var (outFlag, output) in outputs)
        {
            if (string.IsNullOrWhiteSpace(output)) continue;
            foreach (var (inFlag, input) in given)
            {
                bool clash = RewardML.Data.SameFile.Is(output, input!) ||
                             (Directory.Exists(input) && File.Exists(output) && RewardML.Data.SameFile.IsInside(output, input!) && IsFolderInput(output));
                if (clash)
                    return $"{outFlag} {output}: this is {(Directory.Exists(input) ? "a file of" : "the same file as")} {inFlag} {input}; " +
                           "writing it would destroy the input. Choose another output path.";
            }
        }
        return null;
    }

    /// <summary>The files of an input folder that a verb reads (checkpoint config and weights, tokenizer files, APPS problem files); other files there (a results.jsonl, a model zip) may be written.</summary>
    internal static readonly string[] FolderInputPatterns = [".json", ".safetensors", ".model", ".txt"];

    private static bool IsFolderInput(string path) =>
        FolderInputPatterns.Any(ext => path.EndsWith(ext, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Loads APPS problems for <c>--problems</c>; a folder that is not the APPS layout (no problem subfolders) is a usage
    /// error that says so and names any JSONL file inside it, instead of "0 loaded".
    /// </summary>
    public static IReadOnlyList<RewardML.Sandbox.Problems.AppsProblem> LoadProblems(string path, ICollection<RewardML.Sandbox.Problems.ProblemIssue> issues)
    {
        var problems = RewardML.Sandbox.Problems.AppsProblemReader.Load(path, issues);
        if (problems.Count == 0 && Directory.Exists(path) && issues.Count == 0)
        {
            var jsonl = Directory.GetFiles(path, "*.jsonl").Order(StringComparer.Ordinal).Select(f => Path.GetFileName(f)).ToList();
            string hint = jsonl.Count > 0 ? $"; did you mean --problems {Path.Combine(path, jsonl[0])}?" : "";
            throw new ArgumentException($"--problems {path}: not an APPS folder layout (no problem folders NNNN/ with input_output.json " +
                                        $"and question.txt){hint}");
        }
        return problems;
    }
}
