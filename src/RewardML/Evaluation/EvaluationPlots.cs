using ScottPlot;

namespace RewardML.Evaluation;

/// <summary>The PNG plots of an <see cref="EvaluationReport"/>, drawn with ScottPlot.</summary>
internal static class EvaluationPlots
{
    private const int Width = 900, Height = 600;
    private static readonly Color[] Palette = [Colors.C0, Colors.C1, Colors.C2, Colors.C3, Colors.C4, Colors.C5];

    /// <summary>Writes every plot that applies; returns the paths.</summary>
    public static IReadOnlyList<string> Write(EvaluationReport report, string directory)
    {
        var paths = new List<string>
        {
            Reliability(report, Path.Combine(directory, "reliability.png")),
            BestOfNCurve(report, Path.Combine(directory, "best-of-n.png")),
        };
        if (report.Model.Metrics.StepCount > 0) paths.Add(ValueByPosition(report, Path.Combine(directory, "value-by-position.png")));
        paths.Add(ScoreHistograms(report, Path.Combine(directory, "scores.png")));
        if (report.EarlyStop is { } stop) paths.Add(EarlyStop(stop, Path.Combine(directory, "early-stop.png")));
        return paths;
    }

    /// <summary>Reliability diagram: per probability bin (10 equal bins), mean probability against the observed pass rate.</summary>
    internal static string Reliability(EvaluationReport report, string path)
    {
        var plot = new Plot();
        var diagonal = plot.Add.Scatter(new double[] { 0, 1 }, new double[] { 0, 1 }, Colors.Gray);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.MarkerSize = 0;
        diagonal.LegendText = "perfect calibration";
        int color = 0;
        foreach (var scorer in report.Scorers)
        {
            const int bins = RewardMetrics.CalibrationBinCount;
            var sum = new double[bins];
            var passes = new double[bins];
            var count = new int[bins];
            foreach (var row in scorer.Rows)
            {
                if (float.IsNaN(row.Probability)) continue;
                int b = Math.Min((int)Math.Floor(row.Probability * bins), bins - 1);
                sum[b] += row.Probability;
                count[b]++;
                if (row.Label) passes[b]++;
            }
            var used = Enumerable.Range(0, bins).Where(b => count[b] > 0).ToArray();
            var line = plot.Add.Scatter(used.Select(b => sum[b] / count[b]).ToArray(), used.Select(b => passes[b] / count[b]).ToArray(), Palette[color++ % Palette.Length]);
            line.MarkerSize = 8;
            line.LegendText = $"{scorer.Name} (ECE {scorer.Metrics.ExpectedCalibrationError:F3})";
        }
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Title("Reliability diagram (10 bins)");
        plot.XLabel("mean predicted probability");
        plot.YLabel("observed pass rate");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
        return path;
    }

    /// <summary>Best-k-of-n against n (from k to the largest n asked) for each k asked: model(s), random, oracle.</summary>
    internal static string BestOfNCurve(EvaluationReport report, string path)
    {
        var plot = new Plot();
        int maxN = report.Settings.Max(s => s.N);
        int color = 0;
        var ks = report.Settings.Select(s => s.K).Distinct().Order().ToList();
        double[]? oracle = null;
        double[]? oracleX = null;
        foreach (int k in ks)
        {
            var ns = Enumerable.Range(k, maxN - k + 1).ToArray();
            var xs = ns.Select(n => (double)n).ToArray();
            double[] random = [];
            foreach (var scorer in report.Scorers)
            {
                var candidates = scorer.Rows.Select(r => r.ToRankedCandidate()).ToList();
                var metrics = ns.Select(n => BestOfNEvaluator.Evaluate(candidates, n, k, bootstrapResamples: 0)).ToList();
                var model = plot.Add.Scatter(xs, metrics.Select(m => m.Model.Value).ToArray(), Palette[color++ % Palette.Length]);
                model.LegendText = $"{scorer.Name}, best {k} of n";
                model.MarkerSize = 7;
                if (ReferenceEquals(scorer, report.Model))
                {
                    random = metrics.Select(m => m.Random.Value).ToArray();
                    if (k == ks[0])
                    {
                        oracle = metrics.Select(m => m.Oracle.Value).ToArray();
                        oracleX = xs;
                    }
                }
            }
            var randomLine = plot.Add.Scatter(xs, random, Palette[color++ % Palette.Length]);
            randomLine.LinePattern = LinePattern.Dashed;
            randomLine.LegendText = $"random {k} of n (pass@{k})";
        }
        var oracleLine = plot.Add.Scatter(oracleX!, oracle!, Colors.Black);
        oracleLine.LinePattern = LinePattern.Dotted;
        oracleLine.LegendText = "oracle (any of n passes)";
        plot.Axes.SetLimitsY(0, 1.05);
        plot.Axes.Bottom.TickGenerator = IntegerTicks();
        plot.Title("Best k of n against n");
        plot.XLabel("n (candidates drawn per problem)");
        plot.YLabel("expected share of problems solved");
        plot.ShowLegend(Edge.Right); // outside the data area: the k = 1 curves rise into the lower right, where the legend sat
        plot.SavePng(path, Width + 300, Height);
        return path;
    }

    /// <summary>Step accuracy by relative position in the program, with each bucket's chance accuracy, and the step values' AUC.</summary>
    internal static string ValueByPosition(EvaluationReport report, string path)
    {
        var plot = new Plot();
        int color = 0;
        foreach (var scorer in report.Scorers.Where(s => s.Metrics.StepCount > 0))
        {
            var buckets = scorer.Metrics.ValueByPosition.Where(b => b.Count > 0).ToList();
            var xs = buckets.Select(b => (b.Lower + b.Upper) / 2).ToArray();
            var accuracy = plot.Add.Scatter(xs, buckets.Select(b => b.Accuracy).ToArray(), Palette[color++ % Palette.Length]);
            accuracy.MarkerSize = 8;
            accuracy.LegendText = $"{scorer.Name}: step value accuracy";
            var chance = plot.Add.Scatter(xs, buckets.Select(b => b.ChanceAccuracy).ToArray(), Colors.Gray);
            chance.LinePattern = LinePattern.Dashed;
            chance.LegendText = "chance (majority class)";
            var ranked = buckets.Where(b => !double.IsNaN(b.AreaUnderRocCurve)).ToList();
            var auc = plot.Add.Scatter(ranked.Select(b => (b.Lower + b.Upper) / 2).ToArray(), ranked.Select(b => b.AreaUnderRocCurve).ToArray(), Palette[color++ % Palette.Length]);
            auc.MarkerSize = 8;
            auc.LinePattern = LinePattern.Dotted;
            auc.LegendText = $"{scorer.Name}: step value AUC (0.5 = random)";
        }
        plot.Axes.SetLimits(0, 1, 0, 1.05);
        plot.Title("Value against position");
        plot.XLabel("relative position in the program");
        plot.YLabel("accuracy / AUC of the step value");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
        return path;
    }

    /// <summary>Histograms of the model's scores, passing and failing programs side by side (20 bins).</summary>
    internal static string ScoreHistograms(EvaluationReport report, string path)
    {
        // One panel per scorer, stacked: the model's and the baseline's scores have their own scales.
        var plots = report.Scorers.Select(ScoreHistogram).ToList();
        if (plots.Count == 1)
        {
            plots[0].SavePng(path, Width, Height);
            return path;
        }
        using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(Width, Height * plots.Count));
        surface.Canvas.Clear(SkiaSharp.SKColors.White);
        for (int i = 0; i < plots.Count; i++)
        {
            // Each panel as its own image (a plot's Render clears the whole canvas it is given).
            using var panel = SkiaSharp.SKImage.FromEncodedData(plots[i].GetImage(Width, Height).GetImageBytes());
            surface.Canvas.DrawImage(panel, 0, Height * i);
        }
        using var image = surface.Snapshot();
        using var png = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        using (var file = File.Create(path)) png.SaveTo(file);
        return path;
    }

    private static Plot ScoreHistogram(ScorerEvaluation scorer)
    {
        const int bins = 20;
        var plot = new Plot();
        var rows = scorer.Rows.Where(r => double.IsFinite(r.Score)).ToList();
        double lo = rows.Count == 0 ? 0 : rows.Min(r => r.Score), hi = rows.Count == 0 ? 1 : rows.Max(r => r.Score);
        if (hi <= lo) hi = lo + 1;
        double width = (hi - lo) / bins;
        var groups = new[] { (Label: true, Name: "pass", Color: Colors.C2), (Label: false, Name: "fail", Color: Colors.C3) };
        for (int g = 0; g < groups.Length; g++)
        {
            var counts = new double[bins];
            foreach (var row in rows.Where(r => r.Label == groups[g].Label))
                counts[Math.Min((int)((row.Score - lo) / width), bins - 1)]++;
            var bars = Enumerable.Range(0, bins).Select(b => new Bar
            {
                Position = lo + (b + 0.25 + 0.5 * g) * width,
                Value = counts[b],
                Size = width * 0.45,
                FillColor = groups[g].Color,
            }).ToList();
            var plotted = plot.Add.Bars(bars);
            plotted.LegendText = $"{groups[g].Name} ({rows.Count(r => r.Label == groups[g].Label)})";
        }
        plot.Axes.Margins(bottom: 0);
        plot.Axes.Left.TickGenerator = IntegerTicks(); // counts of programs
        plot.Title($"Scores of the {scorer.Name} by label");
        plot.XLabel("score (higher = predicted to pass)");
        plot.YLabel("programs");
        plot.ShowLegend(Alignment.UpperCenter);
        return plot;
    }

    /// <summary>Early stopping: share of passing programs lost against share of program tokens saved, one point per τ.</summary>
    internal static string EarlyStop(EarlyStopCurve stop, string path)
    {
        var plot = new Plot();
        var points = stop.Points.Where(p => !double.IsNaN(p.TokensSavedShare) && !double.IsNaN(p.PassesLostShare)).ToList();
        var curve = plot.Add.Scatter(points.Select(p => 100 * p.TokensSavedShare).ToArray(), points.Select(p => 100 * p.PassesLostShare).ToArray(), Palette[0]);
        curve.MarkerSize = 8;
        curve.LegendText = "one threshold τ each";
        foreach (var p in points.Where(p => p.Threshold is not null))
            plot.Add.Text($"τ={p.Threshold:G3}", 100 * p.TokensSavedShare, 100 * p.PassesLostShare).LabelFontSize = 11;
        var budget = plot.Add.HorizontalLine(100 * EarlyStopAnalysis.DefaultLossBudget, color: Colors.Gray, pattern: LinePattern.Dashed);
        budget.LegendText = $"{100 * EarlyStopAnalysis.DefaultLossBudget:F0}% of passes lost";
        double top = Math.Max(10, 1.1 * points.Select(p => 100 * p.PassesLostShare).DefaultIfEmpty(0).Max());
        plot.Axes.SetLimits(0, 100, 0, top);   // losses past a few percent are not worth the savings: zoom on the low end
        plot.Title("Early stopping: tokens saved against passes lost");
        plot.XLabel("program tokens not generated (%)");
        plot.YLabel("passing programs stopped (%)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
        return path;
    }

    /// <summary>Ticks on whole numbers only (trial numbers, n): no 2.5th trial.</summary>
    internal static ScottPlot.TickGenerators.NumericAutomatic IntegerTicks() => new() { IntegerTicksOnly = true };
}
