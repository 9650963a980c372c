using System;
using System.IO;
using System.IO.Compression;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// Recognises gzip data by its first two bytes (1f 8b, RFC 1952), whatever the file is called,
/// so that "data.gz" holding raw bytes and "data" holding gzip are both read correctly.
/// </summary>
internal static class Gzip
{
    /// <summary>
    /// The bytes of <paramref name="stream"/> from its current position, decompressed when they
    /// start with the gzip magic and as they are otherwise. Disposing the result leaves
    /// <paramref name="stream"/> open.
    /// </summary>
    public static (Stream Content, bool Compressed) Open(Stream stream)
    {
        var head = new byte[2];
        var count = 0;
        while (count < head.Length)
        {
            var n = stream.Read(head, count, head.Length - count);
            if (n == 0)
            {
                break;
            }

            count += n;
        }

        // The stream may not seek, so the bytes peeked at are put back in front of the rest.
        var whole = new PrefixedStream(head.AsMemory(0, count), stream);
        var compressed = count == 2 && head[0] == 0x1f && head[1] == 0x8b;
        return compressed
            ? (new GZipStream(whole, CompressionMode.Decompress), true)
            : (whole, false);
    }

    /// <summary>
    /// How many bytes are left in <paramref name="content"/> (from <see cref="Open"/>), when that
    /// is known without reading: for raw data from a seekable stream, not for gzip.
    /// </summary>
    public static long? Remaining(Stream content) =>
        content is PrefixedStream prefixed ? prefixed.Remaining : null;

    /// <summary>Reads a few bytes already taken, then the rest of another stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        /// <summary>How many bytes are left, when the underlying stream knows its length.</summary>
        public long? Remaining =>
            rest.CanSeek ? _prefix.Length + Math.Max(0, rest.Length - rest.Position) : null;

        public override int Read(byte[] buffer, int offset, int count) =>
            Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return rest.Read(buffer);
            }

            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) =>
            throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException();
    }
}
