using System.ComponentModel;
using System.Globalization;
using RewardML.Cli.Demo;
using RewardML.Evaluation;
using RewardML.Sandbox.Execution;
using RewardML.Training;
using FromScratch = RewardML.Training.RewardHeadTrainer.Options.FromScratchDefaults;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RewardML.Cli.Commands;

/// <summary>
/// <c>rewardml demo</c>: the whole job on embedded data, nothing downloaded — by default 10,000 real HumanEval programs
/// CodeGen-Mono-16B wrote, a sample of them re-judged in the sandbox against the official labels, a split by problem, a
/// tiny Phi-architecture reward model trained from scratch with the real trainer, best-of-N and AUC on the held-out
/// problems against random choice, the oracle and an n-gram baseline, and the report with its plots.
/// </summary>
/// <remarks>It prints what the model achieves, whatever that is; it asserts no number.</remarks>
internal sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{

    /// <summary><c>--data humaneval</c>: the default.</summary>
    public const string HumanEvalData = "humaneval";

    /// <summary><c>--data apps-mutants</c>: APPS references and their seeded mutants, labelled with the APPS rules.</summary>
    public const string AppsMutantsData = "apps-mutants";

    public sealed class Settings : ComputeCommandSettings
    {
        [CommandOption("--quick"), Description("A small sample and a short training run (under a minute on two quiet cores): what the test suite runs.")]
        public bool Quick { get; init; }

        [CommandOption("--data <NAME>"), Description("humaneval (default): HumanEval programs by CodeGen-Mono-16B with official labels; apps-mutants: APPS reference solutions and seeded mutants, all labelled in the sandbox.")]
        public string Data { get; init; } = HumanEvalData;

        [CommandOption("--out <DIR>"), Description("Where the report, plots, labelled programs, training log, models go. Default rewardml-demo/ in the current folder.")]
        public string Out { get; init; } = "rewardml-demo";

        [CommandOption("--seed <N>"), Description("Seed of the sample, the split, the model and the bootstrap. Default 0.")]
        public int Seed { get; init; }

        [CommandOption("--fold <I/K>"), Description("Cross-validation by problem: cut the seeded problem order into K parts and hold out part I (test; part I+1 validates, the rest train). Run I = 0 … K−1 to hold out every problem once; held-out-scores.jsonl of the runs concatenate into one file for rewardml eval. Default: the 60/20/20 split (for 100 problems, fold 0/5).")]
        public string? Fold { get; init; }

        /// <summary>The fold <see cref="Fold"/> names, or null for the default split.</summary>
        public DemoFold? CrossValidationFold() => Fold is null ? null : DemoFold.Parse(Fold);

        [CommandOption("--per-problem <N>"), Description("humaneval: programs per problem (1-100). Default 100 (8 with --quick).")]
        public int? PerProblem { get; init; }

        [CommandOption("--judge <N>"), Description("humaneval: programs re-judged in the sandbox (a seeded random choice); the others keep the official labels. Default: all of them, as many as --judge-seconds allows (24 with --quick).")]
        public int? Judge { get; init; }

        [CommandOption("--judge-seconds <S>"), Description("humaneval: start judging no new program after this long. Default 120 (20 with --quick).")]
        public double? JudgeSeconds { get; init; }

        [CommandOption("--backbone <SPEC>"), Description("The tiny backbone trained from scratch: tiny (default: Phi-4 vocabulary, hidden 64, 2 layers), tiny-mini (Phi-4-mini vocabulary and tokenizer), or either sized as tiny:hidden=128,layers=4,heads=4,kv-heads=2 (keys vocab, hidden, layers, intermediate, heads, kv-heads, max-positions). No checkpoint folder: fine-tune one with rewardml train.")]
        public string Backbone { get; init; } = "tiny";

        [CommandOption("--pretrain-steps <N>"), Description("Pretrain the tiny backbone first as a code language model for N steps of 8192 tokens on this machine's Python standard library and the training programs (rewardml pretrain). Default 0: from scratch.")]
        public int PretrainSteps { get; init; }

        [CommandOption("--epochs <N>"), Description("Training epochs. Default: humaneval 3; apps-mutants 8 (3 with --quick).")]
        public int? Epochs { get; init; }

        [CommandOption("--learning-rate <RATE>"), Description("Peak AdamW learning rate. Default 1e-3 (a tiny backbone trained from scratch; 2e-3 with --quick on humaneval).")]
        public double? LearningRate { get; init; }

        [CommandOption("--balance-classes <BOOL>"), Description("Per-problem class balancing of the training loss (as train --balance-classes): true weighs each problem's passing and failing programs equally, so the model learns what separates programs of one problem; false also lets it learn how hard a problem is, which a pooled AUC over problems rewards. Default true.")]
        public bool? BalanceClasses { get; init; }

        [CommandOption("--workers <N>"), Description("Programs judged at the same time. Default: number of cores + 1.")]
        public int? Workers { get; init; }

        [CommandOption("--unsafe-no-isolation"), Description("Run the programs without bubblewrap (rlimits only). Never for untrusted code.")]
        public bool UnsafeNoIsolation { get; init; }

        /// <summary>The sizes <see cref="Backbone"/> asks for.</summary>
        /// <exception cref="CliUsageException">Not a tiny form, or bad sizes.</exception>
        public TinyPhiSpec BackboneSizes() =>
            CliUsage.ParseTinyBackbone(Backbone, "the demo trains from scratch with from-scratch settings; fine-tune a checkpoint with rewardml train --backbone DIR").Tiny!;

        public override ValidationResult Validate()
        {
            if (Data is not (HumanEvalData or AppsMutantsData)) return ValidationResult.Error($"--data: '{Data}' is not one of {HumanEvalData}, {AppsMutantsData}.");
            if (PretrainSteps < 0) return ValidationResult.Error("--pretrain-steps: must not be negative.");
            if (Epochs is < 1) return ValidationResult.Error("--epochs: must be at least 1.");
            if (PerProblem is < 1 or > 100) return ValidationResult.Error("--per-problem: must be in 1-100.");
            if (Judge is < 0) return ValidationResult.Error("--judge: must be 0 or more.");
            if (JudgeSeconds is { } s && !(s > 0)) return ValidationResult.Error("--judge-seconds: must be positive.");
            if (LearningRate is { } lr && !(lr > 0)) return ValidationResult.Error("--learning-rate: must be positive.");
            if (Workers is < 1) return ValidationResult.Error("--workers: must be at least 1.");
            if (Fold is not null)
            {
                try { CrossValidationFold(); }
                catch (FormatException e) { return ValidationResult.Error(e.Message); }
            }
            if (File.Exists(Out)) return ValidationResult.Error($"--out: {Out} is a file; a folder is expected.");
            try
            {
                BackboneSizes();
            }
            catch (CliUsageException e)
            {
                return ValidationResult.Error(e.Message);
            }
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(settings.Out);
        var sandbox = new SandboxOptions { TestTimeout = TimeSpan.FromSeconds(4), UnsafeNoIsolation = settings.UnsafeNoIsolation };
        if (settings.Workers is { } workers) sandbox.Workers = workers;
        bool humanEval = settings.Data == HumanEvalData;
        var rows = humanEval
            ? await HumanEvalDemo.PrepareAsync(new HumanEvalDemo.Options(
                settings.PerProblem ?? (settings.Quick ? 8 : 100), settings.Judge ?? (settings.Quick ? 24 : int.MaxValue), // by default as many as the time budget allows
                TimeSpan.FromSeconds(settings.JudgeSeconds ?? (settings.Quick ? 20 : 120))), sandbox, settings.Seed, settings.CrossValidationFold(), settings.Out, cancellationToken)
            : await AppsMutantsDemo.PrepareAsync(settings.Quick, sandbox, settings.Seed, settings.CrossValidationFold(), settings.Out, cancellationToken);

        var options = new DemoTraining.Options(
            Epochs: settings.Epochs ?? (humanEval || settings.Quick ? FromScratch.NumberOfEpochs : 8),
            LearningRate: settings.LearningRate ?? (humanEval && settings.Quick ? 2e-3 : FromScratch.LearningRate),
            // HumanEval rows are ~130 tokens: small batches give the few hundred optimizer steps a model from scratch needs.
            MaxLength: humanEval ? 384 : 512, MaxTokensPerBatch: humanEval ? (settings.Quick ? 2048 : FromScratch.MaxTokensPerBatch) : 8192,
            Settings: settings.Quick ? [new BestOfNSetting(3, 1)] : [new BestOfNSetting(3, 1), new BestOfNSetting(10, 3)],
            Backbone: settings.BackboneSizes(), Compute: settings.ToComputeOptions(), Seed: settings.Seed, OutFolder: settings.Out,
            PretrainSteps: settings.PretrainSteps, BalanceClasses: settings.BalanceClasses ?? true);
        DemoTraining.Run(rows, options, cancellationToken);
        AnsiConsole.MarkupLine($"demo: {clock.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s in all" +
                               (OperatingSystem.IsLinux() && File.Exists("/proc/loadavg") ? $" (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end)" : ""));
        return 0;
    }
}
