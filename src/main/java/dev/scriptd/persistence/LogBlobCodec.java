package dev.scriptd.persistence;

import dev.scriptd.domain.LogLine;
import dev.scriptd.domain.LogStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte form of the lines of one {@code log_chunks} row. Seqs are not stored: line {@code i} has
 * seq {@code first_seq + i}.
 *
 * <p>Layout: a format byte (1), the line count as a varint, then per line the timestamp as a
 * zig-zag varint delta from the previous line's (the first from 0), a stream byte (0 stdout,
 * 1 stderr), the UTF-8 length as a varint and the UTF-8 bytes.
 */
public final class LogBlobCodec {
  private static final int FORMAT = 1;

  private LogBlobCodec() {
  }

  public static byte[] encode(List<LogLine> lines) {
    // one pass to size the buffer exactly enough (varints take at most 10 bytes), one to fill it:
    // this runs on the writer's event loop for every line stored, so no stream and no regrowth
    int count = lines.size();
    int capacity = 1 + 10;
    for (int i = 0; i < count; i++) {
      capacity += 10 + 1 + 10 + lines.get(i).utf8Length();
    }
    byte[] out = new byte[capacity];
    int pos = 0;
    out[pos++] = FORMAT;
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
    return Arrays.copyOf(out, pos);
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

  /** Decodes every line of a blob; throws IllegalArgumentException when it is not one. */
  public static List<LogLine> decode(byte[] data, long firstSeq) {
    In in = new In(data);
    int format = in.readByte();
    if (format != FORMAT) {
      throw new IllegalArgumentException("unknown log blob format " + format);
    }
    long count = in.varint();
    if (count < 0 || count > data.length) {
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

  private static final class In {
    private final byte[] data;
    private int pos;

    In(byte[] data) {
      this.data = data;
    }

    int readByte() {
      if (pos >= data.length) {
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
      if (length < 0 || length > data.length - pos) {
        throw new IllegalArgumentException("log blob is truncated");
      }
      byte[] bytes = Arrays.copyOfRange(data, pos, pos + length);
      pos += length;
      return bytes;
    }
  }
}
