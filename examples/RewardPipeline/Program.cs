using RewardPipeline;

// dotnet run --project examples/RewardPipeline [ROLLOUTS.jsonl] [OUTPUT_FOLDER]
string data = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, RewardPipelineExample.SampleData);
// The model zip goes to a folder of its own (never the repository): the second argument, or a temp folder.
string outputFolder = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "rewardml-example");
try
{
    Directory.CreateDirectory(outputFolder);
    var result = RewardPipelineExample.Run(Console.Out, data, outputFolder);
    return result.Identical ? 0 : 1;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException or InvalidDataException)
{
    Console.Error.WriteLine($"RewardPipeline: {e.Message}");
    return 1;
}
