using RewardML.Cli.Commands;
using RewardML.Cli;
using RewardML.Cli.Serving;
using Spectre.Console.Cli;

// Piped or logged output has no terminal width; don't wrap tables at 80 columns there.
if (Console.IsOutputRedirected)
    Spectre.Console.AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int width) && width > 0 ? width : 160;

using var signals = CliSignals.Listen(); // SIGINT and SIGTERM stop long verbs cleanly (checkpoint, flush, exit 130/143)
args = EvalCommand.NormalizeArguments(args); // eval's --n/--k: Spectre wants long option names of 2+ characters
var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("rewardml");
    config.PropagateExceptions();
    config.Settings.StrictParsing = true; // unknown flags and extra arguments are usage errors (exit 2), named by CliUsage.Rewrite
    config.SetInterceptor(new CliUsage.StrictArguments());
    config.AddBranch("model", model =>
    {
        model.SetDescription("Inspect a Phi-3/Phi-4 checkpoint or run it to compare with another implementation.");
        model.AddCommand<ModelInfoCommand>("info").WithDescription("Print the resolved config, parameter count and memory by dtype.");
        model.AddCommand<ModelForwardCommand>("forward").WithDescription("Run NAME_input_ids of a safetensors file; write NAME_last_hidden and NAME_logits (float32).");
    });
    config.AddCommand<PretrainCommand>("pretrain").WithDescription("Pretrain the tiny backbone as a code language model on Python sources (default: this machine's standard library) and training rows' code; writes a checkpoint folder for train --backbone DIR.");
    config.AddCommand<TrainCommand>("train").WithDescription("Train a reward model: rows → steps → tokens → RewardHead → a model zip (+ per-step log and validation metrics beside it).");
    config.AddCommand<SweepCommand>("sweep").WithDescription("Search reward-head and pipeline options (random, grid, TPE or successive halving) by validation AUC, log loss or best-of-n gain: trials.jsonl (resumable), leaderboard.csv, metric.png and best-model.zip in the --out folder.");
    config.AddCommand<DemoCommand>("demo").WithDescription("The whole data flow on an embedded default: sandbox labels, steps, tokens, per-step values of a tiny reward model.");
    config.AddCommand<RuntimeCommand>("runtime").WithDescription("Show how the TorchSharp native runtime was loaded (device, libtorch, compatibility copy).");
    config.AddCommand<LabelCommand>("label").WithDescription("Run candidate programs against APPS tests in a bubblewrap sandbox; write results.jsonl (resumable).");
    config.AddCommand<ScoreCommand>("score").WithDescription("Score a CSV/JSONL file with a model zip: every row unchanged + StepScores, Score, Probability, StepTokenEnds, CodeTokenStart; bad rows to OUT.errors.csv; streams any size; resumable.");
    config.AddCommand<EvalCommand>("eval").WithDescription("Best-k-of-n (model, random, oracle, gain with bootstrap intervals) and AUC/calibration of a scored file, optionally against a baseline; Markdown + JSON report and PNG plots with --report-dir.");
    config.AddCommand<MergeCommand>("merge").WithDescription("Join the shard outputs of label, rollouts or score run with --shard I/N into one file in input order, checked against the input; names the shard to rerun when one is incomplete.");
    config.AddCommand<RolloutsCommand>("rollouts").WithDescription("Branching rollouts (1 main, K branch points at its least likely tokens, M rollouts each) from an OpenAI-compatible server or an in-process Phi checkpoint into rollouts.jsonl, labelled in the sandbox with --label; resumable.");
    config.AddCommand<ExportDatasetCommand>("export-dataset").WithDescription("Rows as for train → steps → tokens → DIR/data.jsonl (input_ids, attention_mask, step_token_ends, labels, weight, problem_id) + README.md + dataset_info.json, for PyTorch/TRL.");
    config.AddCommand<ExportModelCommand>("export-model").WithDescription("A RewardHead model zip → a Hugging Face folder (config.json, model.safetensors with TRL's v_head.summary.*, rewardml.json; tokenizer.json + tokenizer_config.json only when the model used a folder tokenizer, not for the built-in phi4/phi4-mini).");
    config.AddCommand<ImportModelCommand>("import-model").WithDescription("A Hugging Face folder with a TRL value head (v_head.summary.*) → a self-contained model zip: SegmentSteps → TokenizeForReward → RewardHead.");
    config.AddCommand<ServeCommand>("serve").WithDescription("The reward model of a model zip as an HTTP service: POST /get_reward (OpenRLHF --remote_rm_url), POST /v1/score (per-step scores), GET /health, GET /metrics; dynamic batching; drains on SIGTERM.");
});
return CliErrors.Run(() => app.Run(args, signals.Token), args, signals);
