using Backprop.Functional;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Functional.Tests;

public class SmokeTests(ITestOutputHelper output)
{
    [Fact]
    public void Gradient_check_on_a_small_network()
    {
        foreach (var (hidden, outAct, loss) in new[]
        {
            (Activation.Sigmoid, Activation.Sigmoid, Loss.Quadratic),
            (Activation.Tanh, Activation.Softmax, Loss.SoftmaxCrossEntropy),
            (Activation.Softplus, Activation.Softmax, Loss.CrossEntropy),
            (Activation.ReLU, Activation.Sigmoid, Loss.BinaryCrossEntropy),
            (Activation.Tanh, Activation.Identity, Loss.Quadratic),
        })
        {
            var net = Network.Initialize<double>([3, 4, 5, 2], hidden, outAct, Initialization.GlorotNormal, 7);
            var x = Matrix<double>.Build.Dense(3, 4, (i, j) => (i - j) * 0.3);
            var y = Matrix<double>.Build.Dense(2, 4, (i, j) => (i + j) % 2 == 0 ? 1.0 : 0.0);
            var report = GradientCheck.Run(net, x, y, loss);
            output.WriteLine($"{hidden} {outAct} {loss}: worst {report.WorstRelativeError:E2} kinks {report.NearKinkCount}");
            Assert.True(report.Passed);
        }
    }

    [Fact]
    public void Xor_trains()
    {
        var net = Network.Initialize<double>([2, 3, 1], Activation.Sigmoid, Activation.Sigmoid, Initialization.StandardNormal, 1);
        var x = Matrix<double>.Build.DenseOfArray(new double[,] { { 0, 0, 1, 1 }, { 0, 1, 0, 1 } });
        var y = Matrix<double>.Build.DenseOfArray(new double[,] { { 0, 1, 1, 0 } });
        var loss = 0.0;
        var epoch = 0;
        for (; epoch < 20000; epoch++)
        {
            (net, loss) = net.Step(x, y, Loss.Quadratic, 2.0);
            if (loss < 0.01)
            {
                break;
            }
        }

        output.WriteLine($"epoch {epoch} loss {loss}");
        output.WriteLine(net.Predict(x).ToString());
        Assert.True(loss < 0.01);
    }
}
