using System;
using System.IO;
using System.Text.Json.Nodes;

namespace Backprop.Functional.Cli.Tests.Checkpoints;

/// <summary>A JSON file changed in place, as a person editing a checkpoint by hand would.</summary>
internal static class JsonEdit
{
    /// <summary>Reads the object in <paramref name="path"/>, applies the change, writes it.</summary>
    public static void File(string path, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(System.IO.File.ReadAllText(path))!.AsObject();
        change(json);
        System.IO.File.WriteAllText(path, json.ToJsonString());
    }
}
