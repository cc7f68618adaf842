using RewardML.Cli.Commands;
using RewardML.Cli;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("rewardml");
    config.PropagateExceptions();
    config.AddCommand<RuntimeCommand>("runtime").WithDescription("Show how the TorchSharp native runtime was loaded (device, libtorch, compatibility copy).");
    config.AddCommand<LabelCommand>("label").WithDescription("Run candidate programs against APPS tests in a bubblewrap sandbox; write results.jsonl (resumable).");
});
return CliErrors.Run(() => app.Run(args));
