package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunRoutes: which path parameters can name a run")
class RunRoutesTest {

  @Test
  @DisplayName("a UUID in its 8-4-4-4-12 form names a run in either case; anything else does not")
  void uuids() {
    assertTrue(RunRoutes.isUuid("d3e8b51a-4c03-454e-8b33-393f68e29bc4"));
    assertTrue(RunRoutes.isUuid("D3E8B51A-4C03-454E-8B33-393F68E29BC4"));
    assertTrue(RunRoutes.isUuid("00000000-0000-0000-0000-000000000000"));
    assertFalse(RunRoutes.isUuid(null));
    assertFalse(RunRoutes.isUuid(""));
    assertFalse(RunRoutes.isUuid("stats"));
    assertFalse(RunRoutes.isUuid("d3e8b51a-4c03-454e-8b33-393f68e29bc"));
    assertFalse(RunRoutes.isUuid("d3e8b51a-4c03-454e-8b33-393f68e29bc40"));
    assertFalse(RunRoutes.isUuid("d3e8b51a4c03-454e-8b33-393f68e29bc4-"));
    assertFalse(RunRoutes.isUuid("d3e8b51a-4c03-454e-8b33_393f68e29bc4"));
    assertFalse(RunRoutes.isUuid("g3e8b51a-4c03-454e-8b33-393f68e29bc4"));
    assertFalse(RunRoutes.isUuid("d3e8b51a-4c03-454e-8b33-393f68e29bc/"));
    assertFalse(RunRoutes.isUuid("d3e8b51a-4c03-454e-8b33-393f68e29b\u0660\u0661"));
  }
}
