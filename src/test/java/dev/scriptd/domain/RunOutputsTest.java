package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A run's outputs (the SCRIPTD_OUTPUT file and setOutput)")
class RunOutputsTest {
  private static RunOutputs parse(String content) {
    RunOutputs outputs = new RunOutputs();
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    outputs.parseFile(bytes, bytes.length);
    return outputs;
  }

  @Test
  @DisplayName("name=value lines become outputs, the last value wins, values keep their = signs and CRs are dropped")
  void lines() {
    RunOutputs outputs = parse("a=1\nb=x=y\r\na=2\n\nc=\n");
    assertEquals(new JsonObject().put("a", "2").put("b", "x=y").put("c", ""), outputs.outputs());
    assertNull(outputs.dropped());
  }

  @Test
  @DisplayName("lines without a valid name are ignored and said so")
  void badLines() {
    RunOutputs outputs = parse("no equals\n1a=x\n-=x\nok=1\n=empty\n");
    assertEquals(new JsonObject().put("ok", "1"), outputs.outputs());
    assertTrue(outputs.dropped().contains("4 line(s)"), outputs.dropped());
  }

  @Test
  @DisplayName("names beyond the first 100 are dropped and named in the error; a known name may still change")
  void hundredNames() {
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < 103; i++) {
      content.append("n").append(i).append("=").append(i).append('\n');
    }
    content.append("n0=last\n");
    RunOutputs outputs = parse(content.toString());
    assertEquals(100, outputs.outputs().size());
    assertEquals("last", outputs.outputs().getString("n0"));
    assertTrue(outputs.dropped().contains("3 name(s) beyond the first 100 were dropped (n100, n101, n102)"),
        outputs.dropped());
  }

  @Test
  @DisplayName("values beyond 64 KiB in all are dropped; a file read in part loses its cut last line")
  void bytes() {
    RunOutputs outputs = new RunOutputs();
    assertTrue(outputs.put("big", "x".repeat(60_000)));
    assertEquals(false, outputs.put("more", "y".repeat(6_000)));
    assertTrue(outputs.put("small", "z"));
    assertTrue(outputs.dropped().contains("1 value(s) were dropped because the outputs would exceed 65536 bytes"),
        outputs.dropped());

    RunOutputs cut = new RunOutputs();
    byte[] part = "a=1\nb=2\nc=cut".getBytes(StandardCharsets.UTF_8);
    cut.parseFile(part, 100_000);
    assertEquals(new JsonObject().put("a", "1").put("b", "2"), cut.outputs());
    assertTrue(cut.dropped().contains("the output file has 100000 bytes and only the first 65536 were read"),
        cut.dropped());
  }

  @Test
  @DisplayName("setOutput values keep their JSON type")
  void typed() {
    RunOutputs outputs = new RunOutputs();
    outputs.put("n", 3);
    outputs.put("ok", true);
    assertEquals(new JsonObject().put("n", 3).put("ok", true), outputs.outputs());
  }
}
