package dev.scriptd.js;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("JsBlock: a plain endpoint program wrapped so its context can evaluate it again")
class JsBlockTest {
  Context context;

  @BeforeEach
  void open() {
    context = newContext();
  }

  private static Context newContext() {
    return Context.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build();
  }

  @AfterEach
  void close() {
    context.close();
  }

  /** The program once as written, as its first call does, then twice as the block. */
  private Object[] evaluateThrice(String program) {
    Source block = Source.create("js", JsBlock.wrap(program));
    Object first = context.eval("js", program).as(Object.class);
    return new Object[] {first, context.eval(block).as(Object.class), context.eval(block).as(Object.class)};
  }

  @Test
  @DisplayName("a program with top-level let, const and class is evaluated again, each time answering its last expression")
  void lexicalDeclarationsEvaluateAgain() {
    String program = "let n = 2; const m = 3; class Box { constructor(v) { this.v = v; } }\nnew Box(n * m).v";
    assertThrows(PolyglotException.class, () -> {
      context.eval("js", program);
      context.eval("js", program);
    }, "evaluated bare twice, the second evaluation is refused: the reason for the block");
    context.close();
    context = newContext();
    Object[] values = evaluateThrice(program);
    assertEquals(6, values[0]);
    assertEquals(6, values[1]);
    assertEquals(6, values[2]);
  }

  @Test
  @DisplayName("the block's value is the program's completion value, also after a trailing declaration or a line comment")
  void completionValueIsKept() {
    assertEquals("ok", evaluateThrice("({status: 200, body: 'ok'}).body")[1]);
    assertEquals(1, evaluateThrice("let a = 1; a; let b = 2;")[2]);
    assertEquals(7, evaluateThrice("function f() { return 7; }\nf() // the answer")[2]);
  }

  @Test
  @DisplayName("a program that starts with 'use strict' stays strict; one that names it elsewhere is not wrapped")
  void strictModeIsKept() {
    String strict = "// header\n/* more */ 'use strict';\nlet undeclaredAssignment = () => { zz = 1; };\n"
        + "try { undeclaredAssignment(); 'sloppy' } catch (e) { e.name }";
    Object[] values = evaluateThrice(strict);
    assertEquals("ReferenceError", values[0]);
    assertEquals("ReferenceError", values[1]);
    assertEquals("ReferenceError", values[2]);
    assertEquals("'use strict';{\"use strict\"; 1\n}", JsBlock.wrap("\"use strict\"; 1"));
    assertNull(JsBlock.wrap("'a'; 'use strict'; 1"));
    assertNull(JsBlock.wrap("function f() { 'use strict'; return 1; } f()"));
  }

  @Test
  @DisplayName("the block opens on the program's first line, so an error names the program's own line")
  void linesKeepTheirNumbers() {
    PolyglotException error = assertThrows(PolyglotException.class,
        () -> context.eval(Source.create("js", JsBlock.wrap("let a = 1;\n\nnull.x"))));
    assertEquals(3, error.getSourceLocation().getStartLine());
  }
}
