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
    /// The PNG bytes of the plot of <paramref name="history"/>, titled <paramref name="title"/>:
    /// with the validation loss and accuracy too when the run had a validation set, and a
    /// vertical line at <paramref name="kept"/>, the epoch whose network was saved, when early
    /// stopping chose it.
    /// </summary>
    public static byte[] Render(IReadOnlyList<EpochMetrics> history, string title, int? kept)
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

        if (history.All(m => m.ValidationLoss is not null))
        {
            var validationLoss = plot.Add.Scatter(
                epochs, history.Select(m => m.ValidationLoss!.Value).ToArray());
            validationLoss.LegendText = "validation loss";
            validationLoss.LineWidth = 2;
            validationLoss.MarkerSize = 7;
            validationLoss.LinePattern = LinePattern.Dotted;

            var validationAccuracy = plot.Add.Scatter(
                epochs, history.Select(m => m.ValidationAccuracy!.Value).ToArray());
            validationAccuracy.LegendText = "validation accuracy (right axis)";
            validationAccuracy.LineWidth = 2;
            validationAccuracy.MarkerSize = 7;
            validationAccuracy.LinePattern = LinePattern.Dotted;
            validationAccuracy.Axes.YAxis = plot.Axes.Right;
        }

        if (kept is { } epoch)
        {
            var line = plot.Add.VerticalLine(epoch, width: 1, pattern: LinePattern.Dashed);
            line.LegendText = $"saved (epoch {epoch})";
            line.Color = Colors.Gray;
        }

        plot.Title(title, size: 16);
        plot.XLabel("epoch", size: 15);
        plot.YLabel("mean loss", size: 15);
        plot.Axes.Right.Label.Text = history.All(m => m.ValidationLoss is not null)
            ? "accuracy"
            : "test accuracy";
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
        history.Max(m => System.Math.Max(
            System.Math.Max(m.TrainingLoss, m.TestLoss), m.ValidationLoss ?? 0.0));
}
