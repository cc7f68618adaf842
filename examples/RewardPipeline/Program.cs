using RewardPipeline;

// dotnet run --project examples/RewardPipeline [-- rollouts.jsonl [output-folder]]
string data = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, RewardPipelineExample.SampleData);
string outputFolder = args.Length > 1 ? args[1] : Directory.GetCurrentDirectory();
var result = RewardPipelineExample.Run(Console.Out, data, outputFolder);
return result.Identical ? 0 : 1;
