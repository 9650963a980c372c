using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Backprop.Functional.Cli.Models;
using Backprop.Functional.Cli.Shell;
using LanguageExt;
using LanguageExt.Common;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// Rebuilds the embedded sample from the full data set. The rule: the first
/// <see cref="TrainPerClass"/> images of each class in the order of the full training file,
/// and the first <see cref="TestPerClass"/> of each class in the order of the full test file,
/// kept in file order, written as gzip IDX files under the four standard names.
/// </summary>
/// <remarks>
/// A maintenance path, not a training one: run it on Fashion-MNIST (on Debian,
/// <c>apt-get install dataset-fashion-mnist</c> puts it in /usr/share/datasets/fashion-mnist)
/// and copy the output over Data/Sample. The gzip level is the smallest size .NET offers, to
/// keep the repository small.
/// </remarks>
public static class SampleBuilder
{
    /// <summary>Training images kept per class: 600, so 6,000 for ten classes.</summary>
    public const int TrainPerClass = 600;

    /// <summary>Test images kept per class: 100, so 1,000 for ten classes.</summary>
    public const int TestPerClass = 100;

    /// <summary>The prefix of the sample files' logical names among the resources.</summary>
    internal const string ResourcePrefix = "Sample/";

    /// <summary>
    /// Builds the sample from <paramref name="fullDataDir"/> (read as by
    /// <see cref="DataSets.FromDirectory"/>) into <paramref name="outDir"/>, which is created if
    /// need be; existing files there are replaced, all four or none (see
    /// <see cref="AtomicFile.WriteAll"/>). A directory it made and saved nothing in is removed
    /// again (<see cref="MadeDirectory"/>).
    /// </summary>
    /// <returns>The four files written, or the first problem.</returns>
    public static Fin<IReadOnlyList<string>> Build(string fullDataDir, string outDir) =>
        Build(fullDataDir, outDir, TrainPerClass, TestPerClass);

    /// <summary>
    /// As <see cref="Build(string, string)"/>, keeping <paramref name="trainPerClass"/> and
    /// <paramref name="testPerClass"/> images of each class.
    /// </summary>
    public static Fin<IReadOnlyList<string>> Build(
        string fullDataDir, string outDir, int trainPerClass, int testPerClass)
    {
        if (trainPerClass < 1 || testPerClass < 1)
        {
            return Error.New(
                $"a sample needs at least one image per class, got {trainPerClass} training and "
                + $"{Plural.Of(testPerClass, "test image")} per class");
        }

        return
            from full in DataSets.FromDirectory(fullDataDir)
            from train in FirstOfEachClass(full.Train, trainPerClass, full.ClassNames)
            from test in FirstOfEachClass(full.Test, testPerClass, full.ClassNames)
            from made in CreateDirectory(outDir)
            from written in WriteOrRemove(outDir, train, test, made)
            select written;
    }

    /// <summary>
    /// The indices of the first <paramref name="perClass"/> images of each class, in file order.
    /// </summary>
    internal static int[] FirstIndicesOfEachClass(ImageSet set, int perClass)
    {
        var taken = new int[set.ClassCount];
        var chosen = new List<int>(perClass * set.ClassCount);
        for (var i = 0; i < set.Count; i++)
        {
            if (taken[set.Labels[i]] < perClass)
            {
                taken[set.Labels[i]]++;
                chosen.Add(i);
            }
        }

        return [.. chosen];
    }

    private static Fin<ImageSet> FirstOfEachClass(
        ImageSet set, int perClass, IReadOnlyList<string> names)
    {
        var counts = set.CountPerClass();
        var lacking = Array.FindIndex(counts, c => c < perClass);
        return lacking >= 0
            ? Error.New(
                $"{set.Source}: the sample needs {Plural.Of(perClass, "image")} of each class but "
                + "class "
                + $"{lacking} ({names[lacking]}) has {counts[lacking]}")
            : set.Take(FirstIndicesOfEachClass(set, perClass));
    }

    // Makes the output directory if need be: the one made, when it was not there before.
    private static Fin<Option<MadeDirectory>> CreateDirectory(string outDir)
    {
        try
        {
            var existed = Directory.Exists(outDir);
            Directory.CreateDirectory(outDir);
            return existed
                ? Option<MadeDirectory>.None
                : Prelude.Optional(MadeDirectory.At(outDir));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error.New($"cannot create {outDir}: {e.Message}");
        }
    }

    // Writes the sample; the directory made for it, should nothing be saved there (the save
    // failed, or a stop signal came before it), is removed on the way out, if still empty and
    // still the one made.
    private static Fin<IReadOnlyList<string>> WriteOrRemove(
        string outDir, ImageSet train, ImageSet test, Option<MadeDirectory> made)
    {
        void Remove() => made.IfSome(m => m.RemoveIfEmpty());
        using var onStop = StopSignals.OnStop(Remove);
        var written = Write(outDir, train, test);
        if (written.IsFail)
        {
            Remove();
        }

        return written;
    }

    private static Fin<IReadOnlyList<string>> Write(string outDir, ImageSet train, ImageSet test)
    {
        var (rows, columns) = (train.Rows, train.Columns);
        var files = new (string Name, Action<Stream> Write)[]
        {
            (DataSets.TrainImages, s => Idx.WriteImages(s, rows, columns, train.Pixels)),
            (DataSets.TrainLabels, s => Idx.WriteLabels(s, train.Labels)),
            (DataSets.TestImages, s => Idx.WriteImages(s, rows, columns, test.Pixels)),
            (DataSets.TestLabels, s => Idx.WriteLabels(s, test.Labels)),
        };
        // All four or none: a sample of files from two runs would not be one sample. One save
        // from the first file compressed, so that the directory is held from then on.
        string[] paths = [.. files.Select(f => Path.Combine(outDir, f.Name + ".gz"))];
        return AtomicFile.Save(
                paths,
                () => AtomicFile.WriteAll(
                    [.. files.Select((f, i) => (paths[i], Compress(f.Write)))]))
            .Map(_ => (IReadOnlyList<string>)paths);
    }

    private static byte[] Compress(Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            write(gzip);
        }

        return buffer.ToArray();
    }
}
