using System;
using System.Linq;
using Xunit;

namespace Backprop.Functional.Tests;

/// <summary>
/// What the library sets in OpenBLAS: the kernel set it asks for before OpenBLAS loads, and
/// the one thread a half that products cut in two run with, which makes their bits independent
/// of OpenBLAS's thread count and restores that count afterwards.
/// </summary>
/// <remarks>
/// These change OpenBLAS's thread count, which is process-wide, so they run alone. Without
/// OpenBLAS the products run on the managed backend and the thread tests compare it with
/// itself; CI installs OpenBLAS.
/// </remarks>
[Collection(nameof(BackendSwitching))]
public sealed class OpenBlasSettingsTests
{
    [Theory]
    [InlineData("GenuineIntel", true, true, "SkylakeX")]
    [InlineData("GenuineIntel", true, false, "Haswell")]
    [InlineData("AuthenticAMD", true, true, "SkylakeX")]
    [InlineData("AuthenticAMD", true, false, "Zen")]
    [InlineData("HygonGenuine", true, false, "Zen")]
    [InlineData("GenuineIntel", false, false, null)]
    [InlineData("AuthenticAMD", false, false, null)]
    [InlineData("CentaurHauls", true, false, null)]
    public void The_kernel_set_follows_the_vendor_and_the_instructions(
        string vendor, bool avx2AndFma, bool avx512, string? expected) =>
        Assert.Equal(
            expected,
            OpenBlasKernels.For(vendor, avx2AndFma, avx512).IfNoneUnsafe((string?)null));

    [Fact]
    public void OpenBLAS_runs_the_kernel_set_its_variable_names()
    {
        if (!OpenBlasLibrary.IsAvailable)
        {
            return;
        }

        // Loading OpenBLAS set the variable if the process had not; either way OpenBLAS obeyed
        // it, and on a CPU the library knows it is set.
        var described = $"({OpenBlasLibrary.Describe()}";
        var core = Environment.GetEnvironmentVariable(OpenBlasKernels.Variable);
        if (OpenBlasKernels.ForThisCpu().IsSome)
        {
            Assert.NotNull(core);
        }

        if (core is not null)
        {
            Assert.Contains($"({core},", described, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void A_kernel_set_chosen_through_dotnet_alone_reaches_the_native_environment()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var (native, managed) = (OpenBlasKernels.NativeValue(),
            Environment.GetEnvironmentVariable(OpenBlasKernels.Variable));
        try
        {
            // As a program that set the variable with .NET's setter before the library loaded.
            Assert.True(OpenBlasKernels.SetNativeValue(null));
            Environment.SetEnvironmentVariable(OpenBlasKernels.Variable, "Haswell");
            Assert.Null(OpenBlasKernels.NativeValue());

            Assert.True(OpenBlasKernels.Choose().IsNone);
            Assert.Equal("Haswell", OpenBlasKernels.NativeValue());

            // Unset in both: the library's own choice goes to both.
            Assert.True(OpenBlasKernels.SetNativeValue(null));
            Environment.SetEnvironmentVariable(OpenBlasKernels.Variable, null);
            var chosen = OpenBlasKernels.Choose();
            Assert.Equal(OpenBlasKernels.ForThisCpu(), chosen);
            chosen.IfSome(core =>
            {
                Assert.Equal(core, OpenBlasKernels.NativeValue());
                Assert.Equal(core, Environment.GetEnvironmentVariable(OpenBlasKernels.Variable));
            });

            // Set natively: left alone.
            Assert.True(OpenBlasKernels.Choose().IsNone);
        }
        finally
        {
            _ = OpenBlasKernels.SetNativeValue(native);

            Environment.SetEnvironmentVariable(OpenBlasKernels.Variable, managed);
        }
    }

    [Theory]
    [InlineData(128, 784, 64, 1)]
    [InlineData(128, 64, 784, 0)]
    [InlineData(256, 256, 512, 2)]
    [InlineData(784, 30, 1000, 0)]
    public void A_cut_product_has_the_same_bits_at_any_OpenBLAS_thread_count(
        int m, int n, int k, int kind) => SameBitsAtOneAndTwoThreads(m, n, k, kind);

    [Fact]
    public void The_largest_cut_product_has_the_same_bits_at_any_OpenBLAS_thread_count()
    {
        // m·n·k exactly SplitUpTo (2³⁰ or 2²⁸, by the CPU): the largest product still cut, so
        // one that OpenBLAS's own threads would split differently at two threads.
        var k = (int)(HelperCore.SplitUpTo / (512 * 512));
        Assert.Equal(HelperCore.SplitUpTo, 512.0 * 512 * k);

        SameBitsAtOneAndTwoThreads(512, 512, k, 0);
    }

    [Fact]
    public void The_description_names_the_thread_count_even_while_products_are_cut()
    {
        if (!OpenBlasLibrary.IsAvailable || !OpenBlasLibrary.ControlsThreads)
        {
            return;
        }

        var before = OpenBlasLibrary.Threads;
        try
        {
            // Another thread keeps cutting products whose halves run with OpenBLAS on one
            // thread; the description must report the count of 2, never that passing 1.
            OpenBlasLibrary.Threads = 2;
            var (stop, done) = (0, 0);
            var products = new System.Threading.Thread(() =>
            {
                while (System.Threading.Volatile.Read(ref stop) == 0)
                {
                    _ = HelperCoreProperties.Compute<float>((256, 256, 512, 2, 1024));
                    System.Threading.Interlocked.Increment(ref done);
                }
            });
            products.Start();

            // Described over at least 20 of those products (the count is no timing claim).
            var described = new System.Collections.Generic.HashSet<string>();
            while (System.Threading.Volatile.Read(ref done) < 20)
            {
                described.Add(OpenBlasLibrary.Describe());
            }

            System.Threading.Volatile.Write(ref stop, 1);
            products.Join();

            Assert.All(described, d => Assert.EndsWith(", 2 threads", d));
        }
        finally
        {
            OpenBlasLibrary.Threads = before;
        }
    }

    private static void SameBitsAtOneAndTwoThreads(int m, int n, int k, int kind)
    {
        var before = OpenBlasLibrary.Threads;
        try
        {
            var shape = (m, n, k, kind, m + n + k);
            OpenBlasLibrary.Threads = 1;
            var one = HelperCoreProperties.Compute<float>(shape).Values;
            Assert.Equal(1, OpenBlasLibrary.Threads);

            OpenBlasLibrary.Threads = 2;
            var two = HelperCoreProperties.Compute<float>(shape).Values;
            var twoAgain = HelperCoreProperties.Compute<float>(shape).Values;
            Assert.Equal(OpenBlasLibrary.ControlsThreads ? 2 : 1, OpenBlasLibrary.Threads);

            Assert.Equal(
                one.Select(BitConverter.SingleToInt32Bits),
                two.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(
                two.Select(BitConverter.SingleToInt32Bits),
                twoAgain.Select(BitConverter.SingleToInt32Bits));
        }
        finally
        {
            OpenBlasLibrary.Threads = before;
        }
    }
}
