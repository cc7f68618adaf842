using ScottPlot;

namespace RewardML.Sweeps;

/// <summary>The metric over trials (each trial a point, the best so far a line), drawn with ScottPlot.</summary>
internal static class SweepPlot
{
    public static void Write(RewardSweepResult result, string path)
    {
        var plot = new Plot();
        var ok = result.Trials.Where(t => t.IsSuccess).ToList();
        if (ok.Count > 0)
        {
            var points = plot.Add.Scatter(ok.Select(t => (double)t.TrialSettings.TrialId).ToArray(), ok.Select(t => t.Metric).ToArray(), Colors.C0);
            points.LineWidth = 0;
            points.MarkerSize = 7;
            points.LegendText = "trial";
            var bestSoFar = new List<double>();
            double best = double.NaN;
            foreach (var t in ok)
            {
                best = double.IsNaN(best) ? t.Metric : result.IsMaximize ? Math.Max(best, t.Metric) : Math.Min(best, t.Metric);
                bestSoFar.Add(best);
            }
            var line = plot.Add.Scatter(ok.Select(t => (double)t.TrialSettings.TrialId).ToArray(), bestSoFar.ToArray(), Colors.C1);
            line.MarkerSize = 0;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LegendText = "best so far";
            plot.ShowLegend(Alignment.LowerRight);
        }
        plot.Title($"Sweep: {result.MetricName} over trials ({result.Trials.Count(t => !t.IsSuccess)} failed)");
        plot.Axes.Bottom.TickGenerator = Evaluation.EvaluationPlots.IntegerTicks(); // trial numbers
        plot.XLabel("trial");
        plot.YLabel(result.MetricName);
        plot.SavePng(path, 900, 600);
    }
}
