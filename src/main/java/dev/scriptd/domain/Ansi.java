package dev.scriptd.domain;

import java.util.regex.Pattern;

/** Removes terminal escape sequences (colours, cursor moves, titles) from a line of output. */
public final class Ansi {
  // CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-byte ESC sequences
  private static final Pattern ESCAPES = Pattern.compile(
      "\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)?|\u001B[@-Z\\\\-_]|\u009B[0-?]*[ -/]*[@-~]");

  private Ansi() {
  }

  public static String strip(String text) {
    if (text.indexOf('\u001B') < 0 && text.indexOf('\u009B') < 0) {
      return text;
    }
    return ESCAPES.matcher(text).replaceAll("");
  }
}
