using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backprop.Functional.Cli.Output;

/// <summary>
/// Writes the one JSON object that a command prints under <c>--json</c>: camelCase names,
/// indented (lists of whole numbers kept on one line), non-ASCII text as is (class names,
/// arrows), and numbers in full precision.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters =
        {
            new JsonStringEnumConverter(JsonNamingPolicy.CamelCase),
            new CompactIntegers(),
        },
    };

    /// <summary>Writes <paramref name="report"/>, then a newline, and flushes.</summary>
    public static void Write<TReport>(TextWriter writer, TReport report)
    {
        writer.WriteLine(JsonSerializer.Serialize(report, Options));
        writer.Flush();
    }
}
