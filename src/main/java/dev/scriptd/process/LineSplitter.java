package dev.scriptd.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts one output stream into lines. {@code \n} ends a line and is dropped; everything else
 * (including {@code \r} and ANSI escapes) is kept. A line longer than {@code maxLineBytes} is cut
 * at that size, at a UTF-8 character boundary, and continues as the next line. Lines are emitted as
 * their raw bytes, one exactly sized array each (decoding is left to whoever needs the text). Not
 * thread-safe: one instance per stream, fed from one thread.
 */
final class LineSplitter {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long NEWLINES = ONES * '\n';

  private final int maxLineBytes;
  private byte[] pending = new byte[256];
  private int size;

  LineSplitter(int maxLineBytes) {
    if (maxLineBytes < 4) {
      throw new IllegalArgumentException("maxLineBytes must be at least 4 (one UTF-8 character)");
    }
    this.maxLineBytes = maxLineBytes;
  }

  /** Appends to {@code out} every line completed by {@code bytes[offset, offset + length)}. */
  void feed(byte[] bytes, int offset, int length, List<byte[]> out) {
    int end = offset + length;
    int i = offset;
    while (i < end) {
      int newline = indexOfNewline(bytes, i, end);
      int stop = newline < 0 ? end : newline;
      if (size == 0) {
        // fast path: nothing carried over, so whole lines are copied straight from the input
        while (stop - i > maxLineBytes) {
          int cut = cutPoint(bytes, i, i + maxLineBytes);
          out.add(Arrays.copyOfRange(bytes, i, cut));
          i = cut;
        }
        if (newline >= 0) {
          out.add(Arrays.copyOfRange(bytes, i, stop));
        } else {
          append(bytes, i, stop - i);
        }
      } else {
        // a line carried over from the previous read: fill it up, cutting it whenever it is full
        while (i < stop) {
          if (size == maxLineBytes) {
            cutBefore(bytes[i], out);
          }
          int n = Math.min(stop - i, maxLineBytes - size);
          append(bytes, i, n);
          i += n;
        }
        if (newline >= 0) {
          emit(size, out);
        }
      }
      i = newline < 0 ? end : newline + 1;
    }
  }

  /** Eight bytes at a time: the lowest byte equal to {@code \n} sets the lowest high bit. */
  static int indexOfNewline(byte[] bytes, int from, int to) {
    int i = from;
    for (int last = to - Long.BYTES; i <= last; i += Long.BYTES) {
      long word = (long) LONGS.get(bytes, i) ^ NEWLINES;
      long found = (word - ONES) & ~word & HIGH_BITS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Where to cut a too-long line that would end at {@code limit}: before a split character. */
  private static int cutPoint(byte[] bytes, int start, int limit) {
    if (!isContinuation(bytes[limit])) {
      return limit;
    }
    int lead = limit - 1;
    while (lead > start && isContinuation(bytes[lead])) {
      lead--;
    }
    return lead > start && (bytes[lead] & 0xC0) == 0xC0 ? lead : limit;
  }

  /** The stream closed: appends the partial last line, if there is one. */
  void finish(List<byte[]> out) {
    if (size > 0) {
      emit(size, out);
    }
  }

  /** The line is full and {@code next} does not fit: emit it, keeping a split character whole. */
  private void cutBefore(byte next, List<byte[]> out) {
    int cut = size;
    if (isContinuation(next)) {
      // next belongs to a character that started in pending: move that character's start over
      int start = size - 1;
      while (start > 0 && isContinuation(pending[start])) {
        start--;
      }
      if (start > 0 && (pending[start] & 0xC0) == 0xC0) {
        cut = start;
      }
    }
    emit(cut, out);
  }

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  private void emit(int length, List<byte[]> out) {
    out.add(Arrays.copyOf(pending, length));
    int rest = size - length;
    if (rest > 0) {
      System.arraycopy(pending, length, pending, 0, rest);
    }
    size = rest;
  }

  /** At most {@code maxLineBytes - size} bytes. */
  private void append(byte[] bytes, int from, int length) {
    int needed = size + length;
    if (needed > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(needed, Math.min(maxLineBytes, pending.length * 2)));
    }
    System.arraycopy(bytes, from, pending, size, length);
    size = needed;
  }
}
