using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backprop.Functional.Cli.Output;

/// <summary>
/// Writes lists of whole numbers on one line (<c>[784, 128, 10]</c>) and a matrix of them one row
/// a line, where indented JSON would give every number a line of its own. Reading is left to
/// the default converters.
/// </summary>
internal sealed class CompactIntegers : JsonConverterFactory
{
    /// <inheritdoc/>
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert == typeof(int[])
        || typeToConvert == typeof(IReadOnlyList<int>)
        || typeToConvert == typeof(int[][]);

    /// <inheritdoc/>
    public override JsonConverter CreateConverter(
        Type typeToConvert, JsonSerializerOptions options)
    {
        if (typeToConvert == typeof(int[][]))
        {
            return new MatrixConverter();
        }

        return typeToConvert == typeof(int[])
            ? new RowConverter<int[]>()
            : new RowConverter<IReadOnlyList<int>>();
    }

    private static string Row(IEnumerable<int> row) =>
        "[" + string.Join(", ", row.Select(n => n.ToString(CultureInfo.InvariantCulture))) + "]";

    private sealed class RowConverter<TList> : JsonConverter<TList>
        where TList : IEnumerable<int>
    {
        public override TList Read(
            ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("compact lists are written, never read");

        public override void Write(
            Utf8JsonWriter writer, TList value, JsonSerializerOptions options) =>
            writer.WriteRawValue(Row(value));
    }

    private sealed class MatrixConverter : JsonConverter<int[][]>
    {
        public override int[][] Read(
            ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("compact matrices are written, never read");

        // Raw values get no indentation from the writer, so the rows are indented here, two
        // spaces a level as WriteIndented does.
        public override void Write(
            Utf8JsonWriter writer, int[][] value, JsonSerializerOptions options)
        {
            var inner = new string(' ', 2 * (writer.CurrentDepth + 1));
            var outer = new string(' ', 2 * writer.CurrentDepth);
            var rows = value.Select(row => inner + Row(row));
            writer.WriteRawValue($"[\n{string.Join(",\n", rows)}\n{outer}]");
        }
    }
}
