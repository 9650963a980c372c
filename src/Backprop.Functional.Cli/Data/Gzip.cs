using System;
using System.Buffers.Binary;
using System.IO;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// Recognises gzip data by its first two bytes (1f 8b, RFC 1952), whatever the file is called,
/// so that "data.gz" holding raw bytes and "data" holding gzip are both read correctly; and
/// checks gzip data as RFC 1952 asks: each member's header, its CRC-32 and size trailer, and
/// that nothing but another member follows it.
/// </summary>
/// <remarks>
/// .NET's GZipStream checks a trailer only when one is there, and ignores whatever follows the
/// data, so a file cut inside its trailer or with bytes appended reads as if whole. Here the
/// header and trailer are read by hand around an <see cref="Inflater"/>, whose input goes on
/// exactly where the deflate data ended, so the trailer (the CRC-32 and size of what came out)
/// is read where it starts.
/// </remarks>
internal static class Gzip
{
    /// <summary>How far <see cref="CountRest"/> counts: past this, it only says "more".</summary>
    public const long MostCounted = 1L << 30;

    /// <summary>
    /// The bytes of <paramref name="stream"/> from its current position, decompressed when they
    /// start with the gzip magic and as they are otherwise. Disposing the result leaves
    /// <paramref name="stream"/> open. Reading gzip data throws a <see cref="BadDataException"/>
    /// at the first problem with it.
    /// </summary>
    public static (Stream Content, bool Compressed) Open(Stream stream)
    {
        var head = new byte[2];
        var count = Fill(stream, head);

        // The stream may not seek, so the bytes peeked at are put back in front of the rest.
        var whole = new PrefixedStream(head.AsMemory(0, count), stream);
        var compressed = count == 2 && head[0] == 0x1f && head[1] == 0x8b;
        return compressed ? (new Reader(whole), true) : (whole, false);
    }

    /// <summary>
    /// How many bytes are left in <paramref name="content"/> (from <see cref="Open"/>), when that
    /// is known without reading: for raw data from a seekable stream, not for gzip.
    /// </summary>
    public static long? Remaining(Stream content) =>
        content is PrefixedStream prefixed ? prefixed.Remaining : null;

    /// <summary>
    /// Whether <paramref name="content"/> (from <see cref="Open"/>) is gzip data that stopped
    /// early: the file ended inside a member's deflate data, before its final block was
    /// whole, so the bytes it gave are all there were. False for raw data, and for gzip data
    /// not yet read to where it stops.
    /// </summary>
    public static bool CutShort(Stream content) => content is Reader { CutShort: true };

    /// <summary>
    /// The note that ends a message about data that ended too soon when the data is gzip that
    /// <see cref="CutShort"/> says stopped early, else the empty string.
    /// </summary>
    public static string StopsEarly(Stream content) =>
        CutShort(content) ? " (the gzip data stops early; is the file cut short?)" : string.Empty;

    /// <summary>
    /// Reads <paramref name="content"/> (from <see cref="Open"/>) to its end and counts the bytes,
    /// stopping once more than <paramref name="limit"/> have come. For gzip this also checks
    /// the end of the data: its trailers, and that the file does not stop inside it.
    /// </summary>
    /// <exception cref="BadDataException">The gzip data is corrupt, cut short or followed by
    /// other bytes.</exception>
    public static long CountRest(Stream content, long limit)
    {
        var buffer = new byte[1 << 16];
        var count = 0L;
        while (count <= limit)
        {
            var n = content.Read(buffer);
            if (n == 0)
            {
                break;
            }

            count += n;
        }

        if (count == 0 && content is Reader { CutShort: true })
        {
            throw new BadDataException(
                "truncated: the gzip data ends inside its compressed data; is the file cut short?");
        }

        return count;
    }

    private static int Fill(Stream stream, Span<byte> buffer)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = stream.Read(buffer[filled..]);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    /// <summary>
    /// A count from <see cref="CountRest"/> in words: "1 byte", "12 bytes", or "more than
    /// 1073741824 bytes" past <see cref="MostCounted"/>.
    /// </summary>
    public static string Bytes(long count) => count switch
    {
        > MostCounted => $"more than {MostCounted} bytes",
        1 => "1 byte",
        _ => $"{count} bytes",
    };

    /// <summary>
    /// Gzip data that cannot be trusted. The message says what is wrong, to follow the file's
    /// name: "the gzip data is corrupt (checksum mismatch: …)".
    /// </summary>
    public sealed class BadDataException(string message) : IOException(message);

    /// <summary>The decompressed bytes of one or more gzip members, checked as they come.</summary>
    private sealed class Reader : ReadOnlyStream
    {
        private const byte FlagHeaderCrc = 0x02;
        private const byte FlagExtra = 0x04;
        private const byte FlagName = 0x08;
        private const byte FlagComment = 0x10;
        private const byte FlagsReserved = 0xe0;

        private readonly Tap _tap;
        private readonly Inflater _inflater;
        private bool _inMember;
        private uint _crc;
        private uint _size;
        private bool _ended;

        // One decoder for every member, restarted for each; headers and trailers are read
        // from its input, where the deflate data before them ended.
        public Reader(Stream source)
        {
            _inflater = new Inflater(source);
            _tap = new Tap(_inflater);
        }

        /// <summary>The deflate data stopped early: the file ended inside it.</summary>
        public bool CutShort { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            while (!buffer.IsEmpty && !_ended && !CutShort)
            {
                if (!_inMember)
                {
                    StartMember();
                    continue;
                }

                int n;
                try
                {
                    n = _inflater.Read(buffer);
                }
                catch (InvalidDataException)
                {
                    throw new BadDataException("the gzip data is corrupt (invalid deflate data)");
                }

                if (n > 0)
                {
                    _crc = Crc32.Append(_crc, buffer[..n]);
                    _size += (uint)n;
                    return n;
                }

                if (_inflater.CutShort)
                {
                    CutShort = true;
                    break;
                }

                EndMember();
            }

            return 0;
        }

        // The header (RFC 1952, 2.3.1): magic, method, flags, time, extra flags, system, then
        // the optional extra field, name, comment and header CRC that the flags announce.
        private void StartMember()
        {
            var header = new byte[10];
            Take(header);
            var crc = Crc32.Append(0, header);
            var (method, flags) = (header[2], header[3]);
            if (method != 8)
            {
                throw new BadDataException(
                    $"the gzip header declares compression method {method}; expected 8 (deflate)");
            }

            if ((flags & FlagsReserved) != 0)
            {
                throw new BadDataException(
                    $"the gzip header sets reserved flags (0x{flags:X2}); expected them clear");
            }

            if ((flags & FlagExtra) != 0)
            {
                var length = new byte[2];
                Take(length);
                var extra = new byte[BinaryPrimitives.ReadUInt16LittleEndian(length)];
                Take(extra);
                crc = Crc32.Append(Crc32.Append(crc, length), extra);
            }

            crc = (flags & FlagName) != 0 ? SkipZeroTerminated(crc) : crc;
            crc = (flags & FlagComment) != 0 ? SkipZeroTerminated(crc) : crc;
            if ((flags & FlagHeaderCrc) != 0)
            {
                var stored = new byte[2];
                Take(stored);
                if (BinaryPrimitives.ReadUInt16LittleEndian(stored) != (ushort)crc)
                {
                    throw new BadDataException(
                        "the gzip data is corrupt (header checksum mismatch)");
                }
            }

            (_crc, _size, _inMember) = (0, 0, true);
            _inflater.Restart();
        }

        // The trailer (RFC 1952, 2.3.1): the CRC-32 and the size mod 2³² of the member's data,
        // little-endian, right after the deflate data.
        private void EndMember()
        {
            _inMember = false;
            var trailer = new byte[8];
            var got = Fill(_tap, trailer);
            if (got < trailer.Length)
            {
                throw new BadDataException(
                    $"truncated: the file ends inside a gzip trailer, after {got} of its "
                    + $"{trailer.Length} bytes; is the file cut short?");
            }

            if (BinaryPrimitives.ReadUInt32LittleEndian(trailer) != _crc
                || BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(4)) != _size)
            {
                throw new BadDataException(
                    "the gzip data is corrupt (checksum mismatch: the CRC-32 or size in its "
                    + "trailer does not match the data)");
            }

            // What follows the member: nothing, another member, or bytes that do not belong.
            var next = new byte[2];
            var taken = Fill(_tap, next);
            if (taken == 0)
            {
                _ended = true;
                return;
            }

            if (taken == 2 && next[0] == 0x1f && next[1] == 0x8b)
            {
                _tap.PushBack(next);
                return;
            }

            var trailing = taken + CountRest(_tap, MostCounted);
            throw new BadDataException(
                $"{Bytes(trailing)} of trailing data after the gzip data; expected the file "
                + "to end there");
        }

        private uint SkipZeroTerminated(uint crc)
        {
            var one = new byte[1];
            do
            {
                Take(one);
                crc = Crc32.Append(crc, one);
            }
            while (one[0] != 0);

            return crc;
        }

        private void Take(Span<byte> buffer)
        {
            if (Fill(_tap, buffer) < buffer.Length)
            {
                throw new BadDataException("truncated: the file ends inside a gzip header");
            }
        }
    }

    /// <summary>
    /// The input of an <see cref="Inflater"/> between its deflate data, with room to put bytes
    /// back in front of the rest.
    /// </summary>
    private sealed class Tap(Inflater inflater) : ReadOnlyStream
    {
        private ReadOnlyMemory<byte> _pending = ReadOnlyMemory<byte>.Empty;

        public override int Read(Span<byte> buffer)
        {
            if (_pending.IsEmpty)
            {
                return inflater.ReadInput(buffer);
            }

            var n = Math.Min(buffer.Length, _pending.Length);
            _pending.Span[..n].CopyTo(buffer);
            _pending = _pending[n..];
            return n;
        }

        /// <summary>Makes <paramref name="bytes"/> the next to be read.</summary>
        public void PushBack(ReadOnlySpan<byte> bytes) =>
            _pending = (byte[])[.. bytes, .. _pending.Span];
    }

    /// <summary>Reads a few bytes already taken, then the rest of another stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : ReadOnlyStream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        /// <summary>How many bytes are left, when the underlying stream knows its length.</summary>
        public long? Remaining =>
            rest.CanSeek ? _prefix.Length + Math.Max(0, rest.Length - rest.Position) : null;

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
    }

    /// <summary>A forward-only stream that can only be read.</summary>
    private abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public abstract override int Read(Span<byte> buffer);

        public override int Read(byte[] buffer, int offset, int count) =>
            Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) =>
            throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException();
    }

    /// <summary>
    /// The CRC-32 of gzip and zip (reflected polynomial 0xEDB88320), taken 8 bytes a step.
    /// </summary>
    private static class Crc32
    {
        // Table k maps a byte to the CRC of that byte followed by k zero bytes.
        private static readonly uint[] Tables = Build();

        /// <summary>
        /// The CRC of the bytes whose CRC is <paramref name="crc"/> followed by
        /// <paramref name="data"/> (0 for none).
        /// </summary>
        public static uint Append(uint crc, ReadOnlySpan<byte> data)
        {
            var t = Tables;
            crc = ~crc;
            while (data.Length >= 8)
            {
                var one = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
                var two = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
                crc = t[(7 * 256) + (one & 0xff)] ^ t[(6 * 256) + ((one >> 8) & 0xff)]
                    ^ t[(5 * 256) + ((one >> 16) & 0xff)] ^ t[(4 * 256) + (one >> 24)]
                    ^ t[(3 * 256) + (two & 0xff)] ^ t[(2 * 256) + ((two >> 8) & 0xff)]
                    ^ t[256 + ((two >> 16) & 0xff)] ^ t[two >> 24];
                data = data[8..];
            }

            foreach (var b in data)
            {
                crc = t[(crc ^ b) & 0xff] ^ (crc >> 8);
            }

            return ~crc;
        }

        private static uint[] Build()
        {
            var t = new uint[8 * 256];
            for (var i = 0u; i < 256; i++)
            {
                var c = i;
                for (var k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                }

                t[i] = c;
            }

            for (var k = 1; k < 8; k++)
            {
                for (var i = 0; i < 256; i++)
                {
                    var previous = t[((k - 1) * 256) + i];
                    t[(k * 256) + i] = (previous >> 8) ^ t[previous & 0xff];
                }
            }

            return t;
        }
    }
}
