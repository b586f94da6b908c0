package dev.scriptd.persistence;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The byte form of the lines of one {@code log_chunks} row. Seqs are not stored: line {@code i} has
 * seq {@code first_seq + i}.
 *
 * <p>Format 1: a format byte (1), the line count as a varint, then per line the timestamp as a
 * zig-zag varint delta from the previous line's (the first from 0), a stream byte (0 stdout,
 * 1 stderr), the UTF-8 length as a varint and the UTF-8 bytes.
 *
 * <p>Format 2: a format byte (2), the length of a format-1 blob as a varint, then that blob
 * compressed with raw deflate (level 1). Written whenever it is smaller, which output almost always
 * is (about 9x on build logs): SQLite's cost here is per byte written (WAL, then checkpoint), and
 * deflate at level 1 is cheaper than writing the bytes it saves. Both formats are read.
 *
 * <p>Not thread-safe: one instance per user, used by one thread at a time. It keeps its zlib state
 * and buffers from row to row; {@link #close()} frees the native memory.
 */
final class LogBlobCodec implements AutoCloseable {
  static final int PLAIN = 1;
  static final int DEFLATED = 2;
  /** Deflate cannot expand more than this (1032:1 at most); longer claims are corrupt. */
  private static final long MAX_RATIO = 1100;

  private Deflater deflater;
  private Inflater inflater;
  /** Scratch: a format-1 blob being written or inflated, and deflate's output. */
  private byte[] plain = new byte[0];
  private byte[] packed = new byte[0];

  /** The lines as a format-2 blob, or format 1 when deflate does not make it smaller. */
  byte[] encode(List<LogLine> lines) {
    int length = writePlain(lines);
    if (deflater == null) {
      deflater = new Deflater(Deflater.BEST_SPEED, true);
    }
    deflater.reset();
    deflater.setInput(plain, 0, length);
    deflater.finish();
    // worth it only when smaller: stop once the output would not be
    int header = 1 + varintSize(length);
    int limit = length - header;
    if (packed.length < limit) {
      packed = new byte[limit];
    }
    int size = 0;
    while (!deflater.finished() && size < limit) {
      size += deflater.deflate(packed, size, limit - size);
    }
    if (!deflater.finished()) {
      return Arrays.copyOf(plain, length);
    }
    byte[] out = new byte[header + size];
    out[0] = DEFLATED;
    varint(out, 1, length);
    System.arraycopy(packed, 0, out, header, size);
    return out;
  }

  /** The lines as a format-1 blob (what versions before format 2 wrote). */
  static byte[] encodePlain(List<LogLine> lines) {
    LogBlobCodec codec = new LogBlobCodec();
    int length = codec.writePlain(lines);
    return Arrays.copyOf(codec.plain, length);
  }

  /** Writes the format-1 blob into {@link #plain}; returns its length. */
  private int writePlain(List<LogLine> lines) {
    // one pass to size the buffer (varints take at most 10 bytes), one to fill it: no regrowth
    int count = lines.size();
    long capacity = 1 + 10;
    for (int i = 0; i < count; i++) {
      capacity += 10 + 1 + 10 + lines.get(i).utf8Length();
    }
    if (capacity > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("too many bytes for one log row: " + capacity);
    }
    if (plain.length < capacity) {
      plain = new byte[(int) capacity];
    }
    byte[] out = plain;
    int pos = 0;
    out[pos++] = PLAIN;
    pos = varint(out, pos, count);
    long previousTs = 0;
    for (int i = 0; i < count; i++) {
      LogLine line = lines.get(i);
      pos = varint(out, pos, zigZag(line.timestamp() - previousTs));
      previousTs = line.timestamp();
      out[pos++] = (byte) (line.stream() == LogStream.STDERR ? 1 : 0);
      int length = line.utf8Length();
      pos = varint(out, pos, length);
      line.copyUtf8(out, pos);
      pos += length;
    }
    return pos;
  }

  private static int varint(byte[] out, int pos, long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[pos++] = (byte) v;
    return pos;
  }

  private static int varintSize(long value) {
    int size = 1;
    for (long v = value; (v & ~0x7FL) != 0; v >>>= 7) {
      size++;
    }
    return size;
  }

  /** Decodes every line of a blob of either format; throws IllegalArgumentException when it is not one. */
  List<LogLine> decode(byte[] data, long firstSeq) {
    In in = new In(data, data.length);
    int format = in.readByte();
    if (format == PLAIN) {
      return decodePlain(in, firstSeq);
    }
    if (format != DEFLATED) {
      throw new IllegalArgumentException("unknown log blob format " + format);
    }
    long length = in.varint();
    if (length < 1 || length > (data.length - in.pos) * MAX_RATIO || length > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("log blob length " + length + " is not valid");
    }
    if (plain.length < length) {
      plain = new byte[(int) length];
    }
    byte[] blob = plain;
    if (inflater == null) {
      inflater = new Inflater(true);
    }
    inflater.reset();
    inflater.setInput(data, in.pos, data.length - in.pos);
    try {
      int size = 0;
      while (size < length && !inflater.finished()) {
        int n = inflater.inflate(blob, size, (int) length - size);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        size += n;
      }
      if (size != length || !inflater.finished()) {
        throw new IllegalArgumentException("log blob is truncated");
      }
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("log blob is corrupt: " + e.getMessage(), e);
    }
    In inner = new In(blob, (int) length);
    if (inner.readByte() != PLAIN) {
      throw new IllegalArgumentException("compressed log blob does not hold format " + PLAIN);
    }
    return decodePlain(inner, firstSeq);
  }

  private static List<LogLine> decodePlain(In in, long firstSeq) {
    long count = in.varint();
    if (count < 0 || count > in.limit) {
      throw new IllegalArgumentException("log blob line count " + count + " is not valid");
    }
    List<LogLine> lines = new ArrayList<>((int) count);
    long ts = 0;
    for (int i = 0; i < count; i++) {
      ts += unZigZag(in.varint());
      LogStream stream = in.readByte() == 1 ? LogStream.STDERR : LogStream.STDOUT;
      int length = (int) in.varint();
      lines.add(LogLine.ofUtf8(firstSeq + i, ts, stream, in.readBytes(length)));
    }
    return lines;
  }

  private static long zigZag(long value) {
    return (value << 1) ^ (value >> 63);
  }

  private static long unZigZag(long value) {
    return (value >>> 1) ^ -(value & 1);
  }

  @Override
  public void close() {
    if (deflater != null) {
      deflater.end();
      deflater = null;
    }
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }

  private static final class In {
    private final byte[] data;
    private final int limit;
    private int pos;

    In(byte[] data, int limit) {
      this.data = data;
      this.limit = limit;
    }

    int readByte() {
      if (pos >= limit) {
        throw new IllegalArgumentException("log blob is truncated");
      }
      return data[pos++] & 0xFF;
    }

    long varint() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readByte();
        result |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      throw new IllegalArgumentException("log blob varint is too long");
    }

    byte[] readBytes(int length) {
      if (length < 0 || length > limit - pos) {
        throw new IllegalArgumentException("log blob is truncated");
      }
      byte[] bytes = Arrays.copyOfRange(data, pos, pos + length);
      pos += length;
      return bytes;
    }
  }
}
