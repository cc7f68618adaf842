using System.Reflection;
using System.Text.Json.Nodes;
using RewardML.Sandbox.Problems;

namespace RewardML.Cli.Demo;

/// <summary>
/// The demo's built-in problems: 66 real APPS problems (20 interview, 20 competition, 26 introductory of which 6
/// call-based) with their first few tests and one or two short reference solutions each, embedded in the CLI
/// (<c>Demo/Apps/apps-demo.jsonl</c>; selection rule, sources and licence in <c>Demo/Apps/NOTICE.md</c> and
/// docs/demo.md). Nothing is read from disk or the network.
/// </summary>
/// <example>
/// <code>
/// var problems = DemoDataset.Load(quick: false);
/// var split = DemoDataset.Split(problems, seed: 0);
/// var candidates = DemoCandidates.Generate(problems, perProblemCorrect: 2, perProblemMutants: 6, seed: 0);
/// </code>
/// </example>
internal static class DemoDataset
{
    /// <summary>Logical name of the embedded problems (Hugging Face APPS rows, one per line).</summary>
    public const string ProblemsResource = "RewardML.Cli.Demo.Apps.apps-demo.jsonl";

    /// <summary>Logical name of the embedded licence notice.</summary>
    public const string NoticeResource = "RewardML.Cli.Demo.Apps.NOTICE.md";

    /// <summary>
    /// The problems <c>--quick</c> uses: 8 problems with short, fast references, stdin and call-based, from all three
    /// difficulties, so that labelling and a tiny training run take well under a minute.
    /// </summary>
    public static readonly IReadOnlyList<string> QuickProblemIds = ["1", "9", "2004", "2017", "2366", "2383", "2402", "2407"];

    /// <summary>Default share of problems held out for validation.</summary>
    public const double DefaultValidationFraction = 0.2;

    /// <summary>Default share of problems held out for the test (best-of-N) set.</summary>
    public const double DefaultTestFraction = 0.2;

    /// <summary>All built-in problems in file order, or only <see cref="QuickProblemIds"/> when <paramref name="quick"/>.</summary>
    /// <exception cref="InvalidDataException">The embedded file is damaged (a build problem, not a user error).</exception>
    public static IReadOnlyList<AppsProblem> Load(bool quick = false)
    {
        var problems = Rows().Select(AppsProblemReader.FromRow).ToList();
        return quick ? problems.Where(p => QuickProblemIds.Contains(p.ProblemId)).ToList() : problems;
    }

    /// <summary>Where each problem comes from: problem id → "APPS train problem_id N via REPO@COMMIT PATH (URL)".</summary>
    public static IReadOnlyDictionary<string, string> Sources() =>
        Rows().ToDictionary(r => Text(r, "problem_id"), r => $"{Text(r, "source")} ({Text(r, "url")})");

    /// <summary>The licence notice of the embedded problems (APPS: MIT; via CodeChain, Apache-2.0, and CodeRL, BSD-3).</summary>
    public static string Notice() => ReadResource(NoticeResource);

    /// <summary>
    /// Splits problems (never candidates) into train, validation and test: the ids sorted ordinally, shuffled with
    /// <paramref name="seed"/>, then the first round(n × test) to test, the next round(n × validation) to validation and
    /// the rest to train. With 3 or more problems every part gets at least one. A partition: each id lands in exactly one part.
    /// </summary>
    public static DemoSplit Split(IEnumerable<AppsProblem> problems, int seed,
        double validationFraction = DefaultValidationFraction, double testFraction = DefaultTestFraction)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (validationFraction is < 0 or >= 1 || testFraction is < 0 or >= 1 || validationFraction + testFraction >= 1)
            throw new ArgumentException($"DemoDataset.Split: validation ({validationFraction}) and test ({testFraction}) fractions must be in [0, 1) and leave room for training.");
        var ids = Shuffled(problems, seed);
        int n = ids.Length;
        int test = (int)Math.Round(n * testFraction, MidpointRounding.AwayFromZero);
        int validation = (int)Math.Round(n * validationFraction, MidpointRounding.AwayFromZero);
        if (n >= 3)
        {
            if (testFraction > 0) test = Math.Max(1, test);
            if (validationFraction > 0) validation = Math.Max(1, validation);
            while (test + validation > n - 1) { if (validation > 1) validation--; else test--; }
        }
        return new DemoSplit(ids[(test + validation)..], ids[test..(test + validation)], ids[..test]);
    }

    /// <summary>
    /// Fold <paramref name="fold"/> of a K-fold split by problem: the ids sorted ordinally and shuffled with
    /// <paramref name="seed"/> (as <see cref="Split(IEnumerable{AppsProblem}, int, double, double)"/> does), cut into
    /// K near-equal parts; the fold's part is the test set, the next part the validation set, the rest train.
    /// </summary>
    /// <remarks>A null <paramref name="fold"/> is the default split, <see cref="Split(IEnumerable{AppsProblem}, int, double, double)"/>.</remarks>
    /// <exception cref="ArgumentException">Fewer problems than folds.</exception>
    public static DemoSplit Split(IEnumerable<AppsProblem> problems, int seed, DemoFold? fold)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (fold is null) return Split(problems, seed);
        var ids = Shuffled(problems, seed);
        if (ids.Length < fold.Count)
            throw new ArgumentException($"--fold {fold}: {ids.Length} problems cannot fill {fold.Count} folds.");
        string[] Part(int part) { var (start, end) = fold.Bounds(part, ids.Length); return ids[start..end]; }
        var train = Enumerable.Range(0, fold.Count).Where(p => p != fold.Index && p != fold.ValidationIndex).SelectMany(Part).ToArray();
        return new DemoSplit(train, Part(fold.ValidationIndex), Part(fold.Index));
    }

    private static string[] Shuffled(IEnumerable<AppsProblem> problems, int seed)
    {
        var ids = problems.Select(p => p.ProblemId).Distinct().Order(StringComparer.Ordinal).ToArray();
        new Random(seed).Shuffle(ids);
        return ids;
    }

    private static IEnumerable<JsonObject> Rows()
    {
        using var reader = new StringReader(ReadResource(ProblemsResource));
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return JsonNode.Parse(line) as JsonObject
                ?? throw new InvalidDataException($"embedded demo problems, line {lineNumber}: not a JSON object");
        }
    }

    private static string Text(JsonObject row, string field) => row[field]?.GetValue<string>() ?? "";

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded demo file {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>Problem ids of each part of a split by problem.</summary>
internal sealed record DemoSplit(IReadOnlyList<string> Train, IReadOnlyList<string> Validation, IReadOnlyList<string> Test)
{
    /// <summary>"train", "validation" or "test" for a problem of the split.</summary>
    /// <exception cref="KeyNotFoundException">The problem is not in the split.</exception>
    public string PartOf(string problemId) =>
        Train.Contains(problemId) ? "train" : Validation.Contains(problemId) ? "validation" : Test.Contains(problemId) ? "test"
        : throw new KeyNotFoundException($"problem {problemId} is not in the split");
}
