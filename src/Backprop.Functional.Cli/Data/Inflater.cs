using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.CompilerServices;

namespace Backprop.Functional.Cli.Data;

/// <summary>
/// A decoder of raw deflate data (RFC 1951) that knows exactly where that data ends: the input
/// after it is read on by <see cref="ReadInput"/>, so that the gzip trailer is read where it is
/// rather than searched for.
/// </summary>
/// <remarks>
/// .NET's DeflateStream reads its input in chunks and keeps to itself how much of the last one
/// it used, so the trailer could only be looked for in that chunk, and the last bytes of the
/// deflate data could pass for it (an empty member ends "03 00" and then eight zero bytes, so
/// the trailer was "found" one byte early). The checks are zlib's: a block type of 3, a stored
/// length whose complement does not match, code lengths that over-subscribe or (but for a single
/// code of one bit) leave codes unused, a repeat with nothing to repeat or past the lengths, a
/// missing end-of-block code, literal/length codes 286 and 287, distance codes 30 and 31, and
/// a distance back past the start of the data are all invalid data
/// (<see cref="InvalidDataException"/>); input that ends inside the data sets
/// <see cref="CutShort"/> once everything decoded before that point has been read.
/// </remarks>
internal sealed class Inflater(Stream input)
{
    private const int WindowSize = 1 << 15;
    private const int Chunk = 1 << 16;
    private const int Limit = WindowSize + Chunk;
    private const int MaxMatch = 258;
    private const int MaxCodeBits = 15;
    private const int LiteralBits = 10;
    private const int DistanceBits = 8;
    private const int CodeLengthBits = 7;
    private const int History = 8;

    private static readonly int[] LengthBase =
    [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
        35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ];

    private static readonly int[] LengthExtra =
    [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];

    private static readonly int[] DistanceBase =
    [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
        257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];

    private static readonly int[] DistanceExtra =
    [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12,
        12, 13, 13,
    ];

    // The order in which a dynamic block gives the lengths of the code-length code.
    private static readonly int[] CodeLengthOrder =
        [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

    // The fixed codes of RFC 1951, 3.2.6: literal/length codes of 8, 9, 7 and 8 bits for
    // 0–143, 144–255, 256–279 and 280–287; distance codes of 5 bits.
    private static readonly int[] FixedLiterals = Build(
        [.. Repeat(8, 144), .. Repeat(9, 112), .. Repeat(7, 24), .. Repeat(8, 8)],
        LiteralBits,
        codeLengths: false)!;

    private static readonly int[] FixedDistances =
        Build(Repeat(5, 32), DistanceBits, codeLengths: false)!;

    // Decoded bytes: up to the last WindowSize already handed out (for back-references), then
    // those not yet handed out; room past Limit for one match that starts below it.
    private readonly byte[] _window = new byte[Limit + MaxMatch];
    // Input: the last History bytes of the one before, then the last read, of which the bytes
    // from _inPos on are not yet used; so bytes taken into the bit buffer can always be put back.
    private readonly byte[] _in = new byte[History + (1 << 16)];
    private int _inPos = History;
    private int _inEnd = History;
    private bool _inputEnded;

    // Input bits not yet used, the first in the lowest bit; none above _count.
    private ulong _bits;
    private int _count;

    private int _read;
    private int _written;
    private Block _block;
    private bool _final;
    private int _stored;
    private int[] _literals = FixedLiterals;
    private int[] _distances = FixedDistances;

    private enum Block
    {
        None,
        Stored,
        Coded,
        Done,
    }

    /// <summary>The input ended inside the deflate data.</summary>
    public bool CutShort { get; private set; }

    /// <summary>The deflate data has ended and all of it has been read.</summary>
    public bool Finished => _block == Block.Done && _read == _written;

    /// <summary>
    /// The bytes taken from the input but not used: after the end of the deflate data, those
    /// that follow it (the rest come from the input stream).
    /// </summary>
    public ReadOnlySpan<byte> Leftover => _count == 0 ? _in.AsSpan(_inPos, _inEnd - _inPos) : [];

    /// <summary>
    /// Reads the input as it is, from where the deflate data ended (or before any was decoded,
    /// or after <see cref="Restart"/>): the gzip trailer, the next member's header.
    /// </summary>
    public int ReadInput(Span<byte> buffer)
    {
        if (_count != 0)
        {
            throw new InvalidOperationException("the input is inside the deflate data");
        }

        if (buffer.IsEmpty || (_inPos == _inEnd && !More()))
        {
            return 0;
        }

        var n = Math.Min(buffer.Length, _inEnd - _inPos);
        _in.AsSpan(_inPos, n).CopyTo(buffer);
        _inPos += n;
        return n;
    }

    /// <summary>
    /// Makes ready to decode new deflate data from the input where it is: the next member of a
    /// gzip file, once its header has been read by <see cref="ReadInput"/>.
    /// </summary>
    public void Restart()
    {
        (_read, _written, _block, _final, _stored) = (0, 0, Block.None, false, 0);
        (_literals, _distances, CutShort) = (FixedLiterals, FixedDistances, false);
    }

    /// <summary>
    /// Decoded bytes into <paramref name="buffer"/>; 0 once the data has ended (see
    /// <see cref="Finished"/> and <see cref="CutShort"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The deflate data is invalid.</exception>
    public int Read(Span<byte> buffer)
    {
        while (_read == _written && !buffer.IsEmpty)
        {
            if (_block == Block.Done || CutShort)
            {
                return 0;
            }

            if (_written >= Limit)
            {
                _window.AsSpan(_written - WindowSize, WindowSize).CopyTo(_window);
                (_read, _written) = (WindowSize, WindowSize);
            }

            try
            {
                Decode();
            }
            catch (EndOfStreamException)
            {
                CutShort = true;
            }
        }

        var n = Math.Min(buffer.Length, _written - _read);
        _window.AsSpan(_read, n).CopyTo(buffer);
        _read += n;
        return n;
    }

    private static InvalidDataException Invalid() => new("invalid deflate data");

    private static byte[] Repeat(byte length, int count)
    {
        var lengths = new byte[count];
        lengths.AsSpan().Fill(length);
        return lengths;
    }

    // A lookup table for a canonical Huffman code (RFC 1951, 3.2.2), indexed by the next
    // `primary` input bits: 0 for no code, (length << 16) | symbol for a code of at most
    // `primary` bits, and int.MinValue | (bits << 16) | offset for a longer one, whose entry is
    // at offset + its next `bits` bits. Null when the lengths do not make a valid code.
    private static int[]? Build(ReadOnlySpan<byte> lengths, int primary, bool codeLengths)
    {
        Span<int> count = stackalloc int[MaxCodeBits + 1];
        foreach (var length in lengths)
        {
            count[length]++;
        }

        count[0] = 0;
        var longest = MaxCodeBits;
        while (longest > 0 && count[longest] == 0)
        {
            longest--;
        }

        var size = 1 << primary;
        if (longest == 0)
        {
            // No codes at all: any use of the table is invalid data, as with zlib.
            return new int[size];
        }

        var left = 1;
        for (var length = 1; length <= MaxCodeBits; length++)
        {
            left = (left << 1) - count[length];
            if (left < 0)
            {
                return null;
            }
        }

        // Only a single one-bit code may leave codes unused, and not in the code-length code.
        if (left > 0 && (codeLengths || longest != 1))
        {
            return null;
        }

        Span<int> next = stackalloc int[MaxCodeBits + 1];
        for (int length = 1, code = 0; length <= MaxCodeBits; length++)
        {
            code = (code + count[length - 1]) << 1;
            next[length] = code;
        }

        // Each code, bit-reversed since deflate sends codes from their first bit; and for each
        // primary index that starts longer codes, the most bits they need past it.
        var codes = new int[lengths.Length];
        Span<byte> sub = stackalloc byte[size];
        for (var s = 0; s < lengths.Length; s++)
        {
            var length = lengths[s];
            if (length > 0)
            {
                codes[s] = Reverse(next[length]++, length);
                if (length > primary)
                {
                    var index = codes[s] & (size - 1);
                    sub[index] = Math.Max(sub[index], (byte)(length - primary));
                }
            }
        }

        Span<int> offset = stackalloc int[size];
        var total = size;
        for (var index = 0; index < size; index++)
        {
            offset[index] = total;
            total += sub[index] > 0 ? 1 << sub[index] : 0;
        }

        var table = new int[total];
        for (var index = 0; index < size; index++)
        {
            if (sub[index] > 0)
            {
                table[index] = int.MinValue | (sub[index] << 16) | offset[index];
            }
        }

        for (var s = 0; s < lengths.Length; s++)
        {
            var length = lengths[s];
            if (length == 0)
            {
                continue;
            }

            var entry = (length << 16) | s;
            if (length <= primary)
            {
                for (var i = codes[s]; i < size; i += 1 << length)
                {
                    table[i] = entry;
                }
            }
            else
            {
                var index = codes[s] & (size - 1);
                var span = 1 << sub[index];
                for (var i = codes[s] >> primary; i < span; i += 1 << (length - primary))
                {
                    table[offset[index] + i] = entry;
                }
            }
        }

        return table;
    }

    private static int Reverse(int code, int length)
    {
        var reversed = 0;
        for (var b = 0; b < length; b++)
        {
            reversed = (reversed << 1) | ((code >> b) & 1);
        }

        return reversed;
    }

    // Decodes until the window is full or the data ends; throws EndOfStreamException when the
    // input ends first.
    private void Decode()
    {
        while (_written < Limit)
        {
            switch (_block)
            {
                case Block.None when _final:
                    Finish();
                    return;
                case Block.None:
                    StartBlock();
                    break;
                case Block.Stored:
                    CopyStored();
                    break;
                case Block.Coded:
                    DecodeCoded();
                    break;
                default:
                    return;
            }
        }
    }

    // The block header (RFC 1951, 3.2.3): BFINAL, then BTYPE: stored, fixed or dynamic codes.
    private void StartBlock()
    {
        var header = Bits(3);
        _final = (header & 1) != 0;
        switch (header >> 1)
        {
            case 0:
                // A stored block starts at a byte: LEN, then NLEN, its complement.
                Bits(_count & 7);
                var length = Bits(16);
                if (Bits(16) != (~length & 0xffff))
                {
                    throw Invalid();
                }

                (_stored, _block) = (length, Block.Stored);
                break;
            case 1:
                (_literals, _distances, _block) = (FixedLiterals, FixedDistances, Block.Coded);
                break;
            case 2:
                ReadCodes();
                _block = Block.Coded;
                break;
            default:
                throw Invalid();
        }
    }

    // The codes of a dynamic block (RFC 1951, 3.2.7).
    private void ReadCodes()
    {
        var literals = Bits(5) + 257;
        var distances = Bits(5) + 1;
        var codeLengths = Bits(4) + 4;
        if (literals > 286 || distances > 30)
        {
            throw Invalid();
        }

        Span<byte> order = stackalloc byte[19];
        for (var i = 0; i < codeLengths; i++)
        {
            order[CodeLengthOrder[i]] = (byte)Bits(3);
        }

        var lengthCode = Build(order, CodeLengthBits, codeLengths: true) ?? throw Invalid();
        var lengths = new byte[literals + distances];
        for (var i = 0; i < lengths.Length;)
        {
            var symbol = Symbol(lengthCode, CodeLengthBits);
            if (symbol < 16)
            {
                lengths[i++] = (byte)symbol;
                continue;
            }

            var (value, repeat) = symbol switch
            {
                16 when i > 0 => (lengths[i - 1], 3 + Bits(2)),
                16 => throw Invalid(),
                17 => ((byte)0, 3 + Bits(3)),
                _ => ((byte)0, 11 + Bits(7)),
            };
            if (i + repeat > lengths.Length)
            {
                throw Invalid();
            }

            lengths.AsSpan(i, repeat).Fill(value);
            i += repeat;
        }

        if (lengths[256] == 0)
        {
            throw Invalid();
        }

        _literals = Build(lengths.AsSpan(0, literals), LiteralBits, false) ?? throw Invalid();
        _distances = Build(lengths.AsSpan(literals), DistanceBits, false) ?? throw Invalid();
    }

    private void CopyStored()
    {
        // First the whole bytes already taken into the bit buffer, then straight from the input.
        while (_stored > 0 && _count >= 8 && _written < Limit)
        {
            _window[_written++] = (byte)_bits;
            (_bits, _count, _stored) = (_bits >> 8, _count - 8, _stored - 1);
        }

        while (_stored > 0 && _written < Limit)
        {
            if (_inPos == _inEnd && !More())
            {
                throw new EndOfStreamException();
            }

            var n = Math.Min(Math.Min(_stored, Limit - _written), _inEnd - _inPos);
            _in.AsSpan(_inPos, n).CopyTo(_window.AsSpan(_written));
            (_inPos, _written, _stored) = (_inPos + n, _written + n, _stored - n);
        }

        if (_stored == 0)
        {
            _block = Block.None;
        }
    }

    // Literals and matches (RFC 1951, 3.2.5) until the end of the block or a full window: as
    // long as 8 input bytes are at hand by DecodeFast, then symbol by symbol.
    private void DecodeCoded()
    {
        if (DecodeFast())
        {
            _block = Block.None;
            return;
        }

        var window = _window;
        while (_written < Limit)
        {
            var symbol = Symbol(_literals, LiteralBits);
            if (symbol < 256)
            {
                window[_written++] = (byte)symbol;
                continue;
            }

            if (symbol == 256)
            {
                _block = Block.None;
                return;
            }

            symbol -= 257;
            if (symbol >= LengthBase.Length)
            {
                throw Invalid();
            }

            var length = LengthBase[symbol] + Bits(LengthExtra[symbol]);
            var code = Symbol(_distances, DistanceBits);
            if (code >= DistanceBase.Length)
            {
                throw Invalid();
            }

            var distance = DistanceBase[code] + Bits(DistanceExtra[code]);
            if (distance > _written)
            {
                throw Invalid();
            }

            Copy(window, _written, distance, length);
            _written += length;
        }
    }

    // The loop of DecodeCoded with the state in locals, while the input holds 8 bytes: one
    // load then gives at least 56 bits, more than a literal/length code, its extra bits, a
    // distance code and its extra bits take (15 + 5 + 15 + 13). True at the end of the block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool DecodeFast()
    {
        var (window, input, literals, distances) = (_window, _in, _literals, _distances);
        var (bits, count, inPos, inEnd, written) = (_bits, _count, _inPos, _inEnd, _written);
        var ended = false;
        while (written < Limit && inEnd - inPos >= 8)
        {
            bits |= BinaryPrimitives.ReadUInt64LittleEndian(input.AsSpan(inPos, 8)) << count;
            var take = (63 - count) >> 3;
            (inPos, count) = (inPos + take, count + (8 * take));
            bits &= (1UL << count) - 1;

            var entry = literals[(int)bits & ((1 << LiteralBits) - 1)];
            if (entry < 0)
            {
                var sub = (entry >>> 16) & 0xff;
                entry = literals[(entry & 0xffff)
                    + ((int)(bits >> LiteralBits) & ((1 << sub) - 1))];
            }

            if (entry == 0)
            {
                throw Invalid();
            }

            var length = entry >>> 16;
            (bits, count) = (bits >> length, count - length);
            var symbol = entry & 0xffff;
            if (symbol < 256)
            {
                window[written++] = (byte)symbol;
                continue;
            }

            if (symbol == 256)
            {
                ended = true;
                break;
            }

            symbol -= 257;
            if (symbol >= LengthBase.Length)
            {
                throw Invalid();
            }

            var extra = LengthExtra[symbol];
            var matchLength = LengthBase[symbol] + (int)(bits & ((1UL << extra) - 1));
            (bits, count) = (bits >> extra, count - extra);

            entry = distances[(int)bits & ((1 << DistanceBits) - 1)];
            if (entry < 0)
            {
                var sub = (entry >>> 16) & 0xff;
                entry = distances[(entry & 0xffff)
                    + ((int)(bits >> DistanceBits) & ((1 << sub) - 1))];
            }

            if (entry == 0 || (entry & 0xffff) >= DistanceBase.Length)
            {
                throw Invalid();
            }

            length = entry >>> 16;
            (bits, count) = (bits >> length, count - length);
            var code = entry & 0xffff;
            extra = DistanceExtra[code];
            var distance = DistanceBase[code] + (int)(bits & ((1UL << extra) - 1));
            (bits, count) = (bits >> extra, count - extra);
            if (distance > written)
            {
                throw Invalid();
            }

            Copy(window, written, distance, matchLength);
            written += matchLength;
        }

        (_bits, _count, _inPos, _written) = (bits, count, inPos, written);
        return ended;
    }

    // Copies a match: length bytes from distance back, which may overlap what it writes.
    private static void Copy(byte[] window, int to, int distance, int length)
    {
        var from = to - distance;
        if (distance >= length)
        {
            window.AsSpan(from, length).CopyTo(window.AsSpan(to));
        }
        else if (distance == 1)
        {
            window.AsSpan(to, length).Fill(window[from]);
        }
        else
        {
            // The bytes repeat with period distance: copy what is there, which doubles it.
            for (var done = 0; done < length;)
            {
                var n = Math.Min(to + done - from, length - done);
                window.AsSpan(from, n).CopyTo(window.AsSpan(to + done));
                done += n;
            }
        }
    }

    // The end of the deflate data: the rest of its last byte is padding, and the whole bytes
    // still in the bit buffer were taken past the end, so they go back to the input.
    private void Finish()
    {
        Bits(_count & 7);
        (_inPos, _bits, _count) = (_inPos - (_count / 8), 0, 0);
        _block = Block.Done;
    }

    // The next symbol of a code built by Build; the input may end after a short last code.
    private int Symbol(int[] table, int primary)
    {
        if (_count < MaxCodeBits)
        {
            Need(MaxCodeBits);
        }

        var entry = table[(int)_bits & ((1 << primary) - 1)];
        if (entry < 0)
        {
            var bits = (entry >>> 16) & 0xff;
            entry = table[(entry & 0xffff) + ((int)(_bits >> primary) & ((1 << bits) - 1))];
        }

        var length = entry >>> 16;
        if (entry == 0 || length > _count)
        {
            throw _count < MaxCodeBits ? new EndOfStreamException() : Invalid();
        }

        (_bits, _count) = (_bits >> length, _count - length);
        return entry & 0xffff;
    }

    // The next n bits (at most 32), the first in the lowest bit.
    private int Bits(int n)
    {
        if (_count < n && !Need(n))
        {
            throw new EndOfStreamException();
        }

        var value = (int)(_bits & ((1UL << n) - 1));
        (_bits, _count) = (_bits >> n, _count - n);
        return value;
    }

    // Takes input into the bit buffer until it holds n bits; false if the input ends first.
    private bool Need(int n)
    {
        while (_count < n)
        {
            if (_inPos == _inEnd && !More())
            {
                return false;
            }

            if (_inEnd - _inPos >= 8)
            {
                // As many whole bytes as fit, from one 8-byte load; the rest of it is cleared.
                var word = BinaryPrimitives.ReadUInt64LittleEndian(_in.AsSpan(_inPos));
                var take = (63 - _count) >> 3;
                _bits |= word << _count;
                (_inPos, _count) = (_inPos + take, _count + (8 * take));
                _bits &= (1UL << _count) - 1;
            }
            else
            {
                while (_count <= 56 && _inPos < _inEnd)
                {
                    _bits |= (ulong)_in[_inPos++] << _count;
                    _count += 8;
                }
            }
        }

        return true;
    }

    private bool More()
    {
        if (_inputEnded)
        {
            return false;
        }

        // The bit buffer holds at most 7 whole bytes, all among the last History taken.
        _in.AsSpan(_inEnd - History, History).CopyTo(_in);
        var n = input.Read(_in.AsSpan(History));
        (_inPos, _inEnd, _inputEnded) = (History, History + n, n == 0);
        return !_inputEnded;
    }
}
