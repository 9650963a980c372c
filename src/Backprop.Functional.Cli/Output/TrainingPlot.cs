using System.Collections.Generic;
using System.Linq;
using Backprop.Functional.Cli.Running;
using ScottPlot;

namespace Backprop.Functional.Cli.Output;

/// <summary>
/// The picture of a training run: the training and test loss per epoch on the left axis and
/// the test accuracy on the right, as a PNG.
/// </summary>
internal static class TrainingPlot
{
    /// <summary>The image's width in pixels.</summary>
    public const int Width = 900;

    /// <summary>The image's height in pixels.</summary>
    public const int Height = 540;

    /// <summary>
    /// The PNG bytes of the plot of <paramref name="history"/>, titled <paramref name="title"/>.
    /// </summary>
    public static byte[] Render(IReadOnlyList<EpochMetrics> history, string title)
    {
        PlotFont.EnsureRegistered();
        var plot = new Plot();
        plot.Font.Set(PlotFont.Family);

        var epochs = history.Select(m => (double)m.Epoch).ToArray();
        var trainingLoss = plot.Add.Scatter(epochs, history.Select(m => m.TrainingLoss).ToArray());
        trainingLoss.LegendText = "training loss";
        trainingLoss.LineWidth = 2;
        trainingLoss.MarkerSize = 7;

        var testLoss = plot.Add.Scatter(epochs, history.Select(m => m.TestLoss).ToArray());
        testLoss.LegendText = "test loss";
        testLoss.LineWidth = 2;
        testLoss.MarkerSize = 7;
        testLoss.LinePattern = LinePattern.Dashed;

        var accuracy = plot.Add.Scatter(epochs, history.Select(m => m.TestAccuracy).ToArray());
        accuracy.LegendText = "test accuracy (right axis)";
        accuracy.LineWidth = 2;
        accuracy.MarkerSize = 7;
        accuracy.Axes.YAxis = plot.Axes.Right;

        plot.Title(title, size: 16);
        plot.XLabel("epoch", size: 15);
        plot.YLabel("mean loss", size: 15);
        plot.Axes.Right.Label.Text = "test accuracy";
        plot.Axes.Right.Label.FontSize = 15;
        plot.Axes.Title.Label.Bold = false;
        plot.Axes.Bottom.Label.Bold = false;
        plot.Axes.Left.Label.Bold = false;
        plot.Axes.Right.Label.Bold = false;

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
        };
        plot.Axes.SetLimitsX(0.5, epochs.Length + 0.5);
        plot.Axes.SetLimitsY(0, Max(history) * 1.08, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, 1, plot.Axes.Right);
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.FontSize = 14;
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    private static double Max(IReadOnlyList<EpochMetrics> history) =>
        history.Max(m => System.Math.Max(m.TrainingLoss, m.TestLoss));
}
