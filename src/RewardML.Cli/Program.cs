using RewardML.Cli.Commands;
using RewardML.Cli;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("rewardml");
    config.PropagateExceptions();
    config.AddCommand<RuntimeCommand>("runtime").WithDescription("Show how the TorchSharp native runtime was loaded (device, libtorch, compatibility copy).");
    config.AddCommand<RolloutsCommand>("rollouts").WithDescription("Branching rollouts (1 main, K branch points at its least likely tokens, M rollouts each) from an OpenAI-compatible server into rollouts.jsonl; resumable.");
});
return CliErrors.Run(() => app.Run(args));
