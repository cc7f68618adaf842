using Microsoft.ML;
using RewardML;
using RewardML.Persistence;
using RewardML.Tests.Probe;

// Fresh-process half of the persistence tests: load a model zip through ordinary ML.NET calls and dump its output.
// usage: RewardML.Tests.Probe <model.zip> <rows.json | rows.jsonl> <output.txt>
//   rows.json:  ProbeData rows (A, B, Name); rows.jsonl: reward rollouts read with LoadRewardRowsFromJsonl.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: RewardML.Tests.Probe <model.zip> <rows.json|rows.jsonl> <output.txt>");
    return 2;
}
var ml = new MLContext();
RewardMLComponents.Register(ml);
var model = ml.Model.Load(args[0], out var inputSchema);
var rows = args[1].EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
    ? ml.Data.LoadRewardRowsFromJsonl(args[1])
    : ProbeData.Load(ml, ProbeData.FromJson(File.ReadAllText(args[1])));
File.WriteAllText(args[2], ProbeData.Dump(model.Transform(rows)));
Console.WriteLine($"loaded {model.GetType().Name}; input schema: {string.Join(", ", inputSchema.Select(c => c.Name))}");
return 0;
