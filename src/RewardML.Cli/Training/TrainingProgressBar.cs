using RewardML.Training;
using Spectre.Console;

namespace RewardML.Cli.Training;

/// <summary>Shows a trainer's progress (loss, rate, ETA) as a Spectre progress bar that ends at 100 %, or as lines when output is captured.</summary>
internal static class TrainingProgressBar
{
    /// <summary>Runs <paramref name="fit"/> with the trainer's progress shown; <paramref name="observe"/> sees every report too (e.g. the last step, to say where a stopped run stands).</summary>
    public static T Run<T>(RewardHeadTrainer trainer, Func<IProgress<RewardHeadProgress>, T> fit, Action<RewardHeadProgress>? observe = null)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var lines = new Reporter(p => { observe?.Invoke(p); Console.WriteLine(Line(p)); });
            trainer.Progress = lines;
            return fit(lines);
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: 1);
                var reporter = new Reporter(p =>
                {
                    observe?.Invoke(p);
                    task.MaxValue = Math.Max(1, p.TotalSteps);
                    task.Value = p.Step;
                    task.Description = Markup.Escape(Line(p));
                });
                trainer.Progress = reporter;
                result = fit(reporter);
                task.Value = task.MaxValue;
            });
        return result;
    }

    private static string Line(RewardHeadProgress p) => p.Validation is { } v
        ? $"epoch {p.Epoch}/{p.Epochs} validation " + string.Join(", ", v.Select(m => $"{m.Key} {m.Value:0.####}"))
        : $"step {p.Step}/{p.TotalSteps} epoch {p.Epoch}/{p.Epochs} loss {p.Loss:0.####} lr {p.LearningRate:0.##e0} {p.TokensPerSecond:0} tok/s ETA {p.Remaining:hh\\:mm\\:ss}";

    private sealed class Reporter(Action<RewardHeadProgress> report) : IProgress<RewardHeadProgress>
    {
        public void Report(RewardHeadProgress value) => report(value);
    }
}
