package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SessionRoutes: a ?token= link logs in at once only when the person or the UI opened it")
class SessionRoutesTest {
  @Test
  @DisplayName("Sec-Fetch-Site none and same-origin log in; same-site, cross-site and no header ask first")
  void startedHere() {
    assertTrue(SessionRoutes.startedHere("none"));
    assertTrue(SessionRoutes.startedHere("same-origin"));
    assertTrue(SessionRoutes.startedHere(" Same-Origin "));
    assertFalse(SessionRoutes.startedHere("same-site"));
    assertFalse(SessionRoutes.startedHere("cross-site"));
    assertFalse(SessionRoutes.startedHere(null));
  }
}
