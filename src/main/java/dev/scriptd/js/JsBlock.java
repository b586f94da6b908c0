package dev.scriptd.js;

/**
 * A plain endpoint program (no {@code handle(request)}) made fit to be evaluated again in the
 * context that already evaluated it: its text inside a block, {@code {program\n}}. A second
 * evaluation of the bare program would be refused by its own top-level {@code let}, {@code const}
 * or {@code class} ("already declared", a global lexical binding); inside a block they are the
 * block's, new at every evaluation. A block's completion value is its statements' one, so the last
 * expression still answers; {@code var} and functions still become globals, as at the top level.
 * The block opens on the program's first line, so error lines keep their numbers.
 *
 * <p>A block statement has no directive prologue: a leading {@code 'use strict'} is put before the
 * block so the program stays strict. A program that names {@code use strict} anywhere else is not
 * wrapped (null), so no text is ever evaluated in another mode than it was written for.
 */
final class JsBlock {
  private JsBlock() {
  }

  /** The program as a block to evaluate again; null when it cannot be wrapped without changing its meaning. */
  static String wrap(String program) {
    boolean strict = startsStrict(program);
    if (!strict && program.contains("use strict")) {
      return null;
    }
    return (strict ? "'use strict';{" : "{") + program + "\n}";
  }

  /** Whether the first thing after whitespace and comments is the directive 'use strict' (either quote). */
  private static boolean startsStrict(String program) {
    int i = 0;
    int length = program.length();
    while (i < length) {
      char c = program.charAt(i);
      if (Character.isWhitespace(c) || c == '\u00a0' || c == '\ufeff') {
        i++;
      } else if (program.startsWith("//", i)) {
        int end = program.indexOf('\n', i);
        i = end < 0 ? length : end + 1;
      } else if (program.startsWith("/*", i)) {
        int end = program.indexOf("*/", i + 2);
        if (end < 0) {
          return false;
        }
        i = end + 2;
      } else {
        break;
      }
    }
    return program.startsWith("'use strict'", i) || program.startsWith("\"use strict\"", i);
  }
}
