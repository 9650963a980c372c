using System;
using System.Text.Json;
using Xunit;

namespace Backprop.Functional.Cli.Tests.Commands;

/// <summary>
/// Two small models trained once on the embedded sample (one epoch, 8 hidden units), in
/// float32 and float64, with the JSON each training run printed, for the tests that read
/// models.
/// </summary>
public sealed class TrainedModels : IDisposable
{
    private readonly TempDirectory _directory = new();

    public TrainedModels()
    {
        Float32 = _directory.File("float32.json");
        Float64 = _directory.File("float64.json");
        try
        {
            Float32Report = Train(Float32, "float32");
            Float64Report = Train(Float64, "float64");
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor threw.
            _directory.Dispose();
            throw;
        }
    }

    public string Float32 { get; }

    public string Float64 { get; }

    public JsonElement Float32Report { get; }

    public JsonElement Float64Report { get; }

    public void Dispose() => _directory.Dispose();

    private static JsonElement Train(string path, string precision)
    {
        var result = Cli.Run(
            "train", "--epochs", "1", "--hidden", "8", "--precision", precision, "--out", path,
            "--json");
        result.AssertSucceeded();
        return result.Json().Clone();
    }
}

[CollectionDefinition(Name)]
public sealed class TrainedModelsCollection : ICollectionFixture<TrainedModels>
{
    public const string Name = "trained models";
}
