// Throughput of RewardSequenceBuilder (template + full-text encode + step alignment + truncation) on APPS reference
// solutions, one step per line. Prints a Markdown table; best of three passes per configuration, after a warm-up pass.
using System.Diagnostics;
using System.Text.Json;
using RewardML.Tokenization;

string path = args.Length > 0 ? args[0] : "../shared/data/apps-sample.jsonl";
var rows = new List<(string Question, string Code, int[] Ends)>();
foreach (var line in File.ReadLines(path))
{
    using var problem = JsonDocument.Parse(line);
    using var solutions = JsonDocument.Parse(problem.RootElement.GetProperty("solutions").GetString() ?? "[]");
    foreach (var solution in solutions.RootElement.EnumerateArray().Take(3))
    {
        string code = solution.GetString()!;
        var ends = new List<int>();
        for (int i = 0; i < code.Length; i++) if (code[i] == '\n') ends.Add(i + 1);
        if (ends.Count == 0 || ends[^1] != code.Length) ends.Add(code.Length);
        rows.Add((problem.RootElement.GetProperty("question").GetString()!, code, [.. ends]));
    }
}

Console.WriteLine($"{rows.Count} rows (up to 3 solutions of each problem in {Path.GetFileName(path)}), {Environment.ProcessorCount} cores, one thread\n");
Console.WriteLine("| tokenizer | MaxLength | rows/s | tokens/s | prompt-truncated rows | rows with dropped steps | dropped / steps |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
foreach (var tokenizer in new[] { RewardTokenizer.Phi4, RewardTokenizer.Phi4Mini })
foreach (int maxLength in new[] { 4096, 512 })
{
    var builder = new RewardSequenceBuilder(tokenizer, PromptTemplate.Plain, PromptFormat.Apps, maxLength);
    foreach (var r in rows) builder.Build(r.Question, r.Code, r.Ends); // warm-up: tokenizer caches, JIT
    double best = double.MaxValue;
    long tokens = 0;
    var stats = new TokenizationStats();
    for (int pass = 0; pass < 3; pass++)
    {
        stats = new TokenizationStats();
        tokens = 0;
        var clock = Stopwatch.StartNew();
        foreach (var r in rows)
        {
            var sequence = builder.Build(r.Question, r.Code, r.Ends);
            stats.Add(sequence);
            tokens += sequence.Tokens.Length;
        }
        best = Math.Min(best, clock.Elapsed.TotalSeconds);
    }
    Console.WriteLine($"| {tokenizer.Spec} | {maxLength} | {rows.Count / best:F0} | {tokens / best / 1e6:F2} M | {stats.PromptTruncatedRows} | {stats.RowsWithDroppedSteps} | {stats.DroppedSteps} / {stats.Steps} |");
}
