package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RunCursorTest {

  @Test
  void roundTrips() {
    RunCursor cursor = new RunCursor(1_763_900_000_123L, "0b6f1c2e-1111-4a4a-9c9c-123456789abc");

    String encoded = cursor.encode();

    assertEquals(cursor, RunCursor.decode(encoded));
    assertEquals(-1, encoded.indexOf('='));
  }

  @Test
  void rejectsGarbage() {
    for (String bad : new String[] {"%%%", "bm9jb2xvbg", "", "YWJjOmRlZg"}) {
      assertThrows(IllegalArgumentException.class, () -> RunCursor.decode(bad), bad);
    }
  }
}
