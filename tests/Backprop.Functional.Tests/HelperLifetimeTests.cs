using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Threading;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// The library's background thread does not outlive its load context: a plug-in host that loads
/// the library into a collectible context, runs products on the helper and unloads it gets the
/// context collected.
/// </summary>
public sealed class HelperLifetimeTests
{
    [Fact]
    public void Unloading_the_library_stops_its_helper_thread_and_frees_the_context()
    {
        if (!Backends.OpenBlasAvailable || Environment.ProcessorCount < 2)
        {
            // No helper to stop: the products run on the managed backend or on one core.
            return;
        }

        var (context, helperStarted) = RunInOwnContext();

        Assert.True(helperStarted, "the products in the plug-in did not start the helper");
        for (var i = 0; i < 50 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(20);
        }

        Assert.False(context.IsAlive, "the unloaded context is still alive");
    }

    // Loads this library alone into a collectible context (its dependencies come from the
    // default one), predicts a 784-30-10 network on a batch of 10, whose first product is split,
    // and unloads the context.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Context, bool HelperStarted) RunInOwnContext()
    {
        var context = new AssemblyLoadContext("plug-in", isCollectible: true);
        var library = context.LoadFromAssemblyPath(typeof(Network).Assembly.Location);
        Type Named(string name) => library.GetType("Backprop.Functional." + name, true)!;

        var sigmoid = Named("Activation").GetProperty("Sigmoid")!.GetValue(null);
        var scheme = Enum.Parse(Named("Initialization"), "StandardNormal");
        var network = Named("Network").GetMethod("Initialize")!.MakeGenericMethod(typeof(double))
            .Invoke(null, [new[] { 784, 30, 10 }, sigmoid, sigmoid, scheme, 1UL]);
        var predict = Named("Propagation").GetMethods()
            .Single(m => m.Name == "Predict"
                && m.GetParameters()[1].ParameterType.Name == "Matrix`1")
            .MakeGenericMethod(typeof(double));
        var x = Matrix<double>.Build.Dense(784, 10, (i, j) => ((i + j) % 7) / 7.0);
        for (var k = 0; k < 20; k++)
        {
            _ = predict.Invoke(null, [network, x]);
        }

        var alive = (int)Named("HelperCore")
            .GetField("alive", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        context.Unload();
        return (new WeakReference(context), alive == 1);
    }
}
