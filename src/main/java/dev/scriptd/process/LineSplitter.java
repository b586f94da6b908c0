package dev.scriptd.process;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts one output stream into lines. {@code \n} ends a line and is dropped; everything else
 * (including {@code \r} and ANSI escapes) is kept. A line longer than {@code maxLineBytes} is cut
 * at that size, at a UTF-8 character boundary, and continues as the next line. Bytes are decoded as
 * UTF-8 with replacement. Not thread-safe: one instance per stream, fed from one thread.
 */
final class LineSplitter {
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
  void feed(byte[] bytes, int offset, int length, List<String> out) {
    int end = offset + length;
    int i = offset;
    while (i < end) {
      int newline = indexOfNewline(bytes, i, end);
      int stop = newline < 0 ? end : newline;
      if (size == 0) {
        // fast path: nothing carried over, so whole lines become strings straight from the input
        while (stop - i > maxLineBytes) {
          int cut = cutPoint(bytes, i, i + maxLineBytes);
          out.add(new String(bytes, i, cut - i, StandardCharsets.UTF_8));
          i = cut;
        }
        if (newline >= 0) {
          out.add(new String(bytes, i, stop - i, StandardCharsets.UTF_8));
        } else {
          for (int j = i; j < stop; j++) {
            append(bytes[j]);
          }
        }
      } else {
        // a line carried over from the previous read: byte by byte until it ends
        for (int j = i; j < stop; j++) {
          if (size == maxLineBytes) {
            cutBefore(bytes[j], out);
          }
          append(bytes[j]);
        }
        if (newline >= 0) {
          emit(size, out);
        }
      }
      i = newline < 0 ? end : newline + 1;
    }
  }

  private static int indexOfNewline(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
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
  void finish(List<String> out) {
    if (size > 0) {
      emit(size, out);
    }
  }

  /** The line is full and {@code next} does not fit: emit it, keeping a split character whole. */
  private void cutBefore(byte next, List<String> out) {
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

  private void emit(int length, List<String> out) {
    out.add(new String(pending, 0, length, StandardCharsets.UTF_8));
    int rest = size - length;
    if (rest > 0) {
      System.arraycopy(pending, length, pending, 0, rest);
    }
    size = rest;
  }

  private void append(byte b) {
    if (size == pending.length) {
      pending = Arrays.copyOf(pending, Math.min(maxLineBytes, pending.length * 2));
    }
    pending[size++] = b;
  }
}
