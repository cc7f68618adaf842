using System.IO.Compression;
using System.Reflection;
using System.Text.Json.Nodes;
using RewardML.Sandbox.Problems;

namespace RewardML.Cli.Demo;

/// <summary>One program of the built-in HumanEval data: what CodeGen-Mono-16B wrote and the official harness's verdict.</summary>
/// <param name="ProblemId">The HumanEval task id (<c>HumanEval/N</c>).</param>
/// <param name="CandidateId">The sample index (0–99).</param>
/// <param name="Prompt">The problem's prompt (signature + docstring).</param>
/// <param name="Code">Prompt + completion: the program the harness runs.</param>
/// <param name="OfficialLabel">The openai/human-eval harness's verdict (true = passed), as published with the data.</param>
/// <param name="HarnessResult">The harness's message (<c>passed</c>, <c>failed: …</c>, <c>timed out</c>).</param>
internal sealed record HumanEvalSample(string ProblemId, string CandidateId, string Prompt, string Code, bool OfficialLabel, string HarnessResult);

/// <summary>
/// The demo's default data, embedded in the CLI (gzip, <c>Demo/HumanEval/</c>): 100 HumanEval problems with their tests
/// and 100 CodeGen-Mono-16B programs each with the official labels (MIT; notices in <c>Demo/HumanEval/NOTICE.md</c>,
/// <see cref="Notice"/>). Real model output, so a reward model learns what real failures look like.
/// </summary>
internal static class HumanEvalDemoData
{
    /// <summary>Logical name of the embedded samples.</summary>
    public const string SamplesResource = "RewardML.Cli.Demo.HumanEval.samples.jsonl.gz";

    /// <summary>Logical name of the embedded problems.</summary>
    public const string ProblemsResource = "RewardML.Cli.Demo.HumanEval.problems.jsonl.gz";

    /// <summary>Logical name of the licence notice.</summary>
    public const string NoticeResource = "RewardML.Cli.Demo.HumanEval.NOTICE.md";

    /// <summary>The problems (HumanEval rows, judged with the HumanEval harness rules), in file order.</summary>
    public static IReadOnlyList<AppsProblem> Problems() => Lines(ProblemsResource).Select(l => AppsProblemReader.FromRow(JsonNode.Parse(l)!.AsObject())).ToList();

    /// <summary>Every sample, in file order, with its prompt and full program.</summary>
    /// <exception cref="InvalidDataException">The embedded files are damaged (a build problem, not a user error).</exception>
    /// <param name="problems">The <see cref="Problems"/> (read once by the caller).</param>
    public static IReadOnlyList<HumanEvalSample> Samples(IReadOnlyList<AppsProblem> problems)
    {
        var prompts = problems.ToDictionary(p => p.ProblemId, p => p.Check!.Prompt);
        var samples = new List<HumanEvalSample>();
        foreach (var line in Lines(SamplesResource))
        {
            var row = JsonNode.Parse(line)!.AsObject();
            string id = row["problem_id"]!.GetValue<string>();
            if (!prompts.TryGetValue(id, out var prompt)) throw new InvalidDataException($"{SamplesResource}: problem {id} is not in {ProblemsResource}.");
            samples.Add(new HumanEvalSample(id, row["candidate_id"]!.GetValue<string>(), prompt, prompt + row["completion"]!.GetValue<string>(),
                row["label"]!.GetValue<bool>(), row["harness_result"]!.GetValue<string>()));
        }
        return samples;
    }

    /// <summary>The licence notice (CodeT and HumanEval, MIT) with the data's README.</summary>
    public static string Notice()
    {
        using var stream = Open(NoticeResource);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>
    /// The first <paramref name="perProblem"/> samples of each problem in a per-problem shuffle seeded by
    /// <paramref name="seed"/> (all of them when it is at least 100), in problem order.
    /// </summary>
    public static IReadOnlyList<HumanEvalSample> Take(IReadOnlyList<HumanEvalSample> samples, int perProblem, int seed)
    {
        var random = new Random(seed);
        return samples.GroupBy(s => s.ProblemId)
            .SelectMany(g => g.OrderBy(_ => random.Next()).Take(perProblem))
            .ToList();
    }

    private static IEnumerable<string> Lines(string resource)
    {
        using var stream = new GZipStream(Open(resource), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) yield return line;
    }

    private static Stream Open(string resource) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
        ?? throw new InvalidDataException($"The CLI was built without its embedded resource {resource}.");
}
