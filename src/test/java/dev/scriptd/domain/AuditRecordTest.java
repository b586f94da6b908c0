package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("AuditRecord and AuditChainCheck: the hash chain of the audit log")
class AuditRecordTest {
  private static AuditRecord record(String id, String action) {
    return AuditRecord.of(id, Instant.parse("2026-12-06T18:00:00.000Z"), "token", "t1", "ci", action, "r1",
        AuditRecord.OK, 201, "127.0.0.1", new JsonObject().put("trigger", "api"));
  }

  @Test
  @DisplayName("the hash is SHA-256 hex of prev_hash and the canonical JSON of the record without hash (value computed independently with Python)")
  void knownHash() {
    AuditRecord chained = record("a1", "run.start").chained(AuditRecord.GENESIS);
    assertEquals("{\"action\":\"run.start\",\"actor\":{\"id\":\"t1\",\"name\":\"ci\",\"type\":\"token\"},"
        + "\"at\":\"2026-12-06T18:00:00.000Z\",\"details\":{\"trigger\":\"api\"},\"id\":\"a1\",\"ip\":\"127.0.0.1\","
        + "\"prev_hash\":\"" + "0".repeat(64) + "\",\"result\":\"ok\",\"status\":201,\"target\":\"r1\"}",
        CanonicalJson.encode(chained.content()));
    assertEquals("8ad0053c666a8685792ed9a15a5dbfb0644e21b8d3e180a6ae150342e1275972", chained.hash());
    assertTrue(chained.hashHolds());
    assertEquals(chained.hash(), chained.toJson().getString("hash"));
  }

  @Test
  @DisplayName("results: below 400 ok, 401 and 403 denied, the rest error; at is cut to milliseconds")
  void results() {
    assertEquals("ok", AuditRecord.resultOf(204));
    assertEquals("denied", AuditRecord.resultOf(401));
    assertEquals("denied", AuditRecord.resultOf(403));
    assertEquals("error", AuditRecord.resultOf(409));
    assertEquals("error", AuditRecord.resultOf(500));
    AuditRecord precise = AuditRecord.of("x", Instant.ofEpochSecond(1, 123_456_789), "anonymous", null, null,
        "access", "/api/runs", "denied", 401, null, null);
    assertEquals(1123, precise.at().toEpochMilli());
    assertEquals(0, precise.at().getNano() % 1_000_000);
  }

  private static List<AuditRecord> chain(int n, String anchor) {
    List<AuditRecord> records = new ArrayList<>();
    String previous = anchor;
    for (int i = 0; i < n; i++) {
      AuditRecord next = record("id-" + i, "run.kill").chained(previous);
      records.add(next);
      previous = next.hash();
    }
    return records;
  }

  @Test
  @DisplayName("a whole chain checks from its anchor; a wrong anchor fails at the first record")
  void goodChain() {
    String anchor = "ab".repeat(32);
    AuditChainCheck check = new AuditChainCheck(anchor);
    for (AuditRecord record : chain(5, anchor)) {
      assertTrue(check.next(record));
    }
    assertEquals(5, check.records());
    assertNull(check.firstBadId());
    AuditChainCheck wrongAnchor = new AuditChainCheck(AuditRecord.GENESIS);
    assertFalse(wrongAnchor.next(chain(1, anchor).get(0)));
    assertEquals("id-0", wrongAnchor.firstBadId());
  }

  @Test
  @DisplayName("a changed field, a removed record and a rewritten hash are each found at the record they break")
  void tampering() {
    List<AuditRecord> records = chain(5, AuditRecord.GENESIS);
    AuditRecord third = records.get(2);
    records.set(2, new AuditRecord(third.id(), third.at(), third.actorType(), third.actorId(), "mallory",
        third.action(), third.target(), third.result(), third.status(), third.ip(), third.details(),
        third.prevHash(), third.hash()));
    assertEquals("id-2", firstBad(records));

    List<AuditRecord> removed = chain(5, AuditRecord.GENESIS);
    removed.remove(1);
    assertEquals("id-2", firstBad(removed));

    // changing a record and its own hash still breaks the link of the next one
    List<AuditRecord> rehashed = chain(5, AuditRecord.GENESIS);
    AuditRecord second = rehashed.get(1);
    AuditRecord forged = AuditRecord.of(second.id(), second.at(), second.actorType(), second.actorId(),
        "mallory", second.action(), second.target(), second.result(), second.status(), second.ip(),
        second.details()).chained(second.prevHash());
    rehashed.set(1, forged);
    assertEquals("id-2", firstBad(rehashed));
  }

  private static String firstBad(List<AuditRecord> records) {
    AuditChainCheck check = new AuditChainCheck(AuditRecord.GENESIS);
    for (AuditRecord record : records) {
      if (!check.next(record)) {
        break;
      }
    }
    return check.firstBadId();
  }
}
