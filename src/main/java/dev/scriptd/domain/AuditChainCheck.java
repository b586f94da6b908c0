package dev.scriptd.domain;

/**
 * Walks a chain of audit records oldest first: each must follow the hash before it (the anchor for
 * the first) and hash to its own {@code hash}. Stops at the first record that does not; a record
 * changed, inserted or removed makes that record (or the one after a removal) the first bad one.
 * Not thread-safe: one walk, fed in order.
 */
public final class AuditChainCheck {
  private String expected;
  private long records;
  private String firstBadId;

  /** {@code anchor}: the hash the first record follows ({@link AuditRecord#GENESIS} when none was dropped). */
  public AuditChainCheck(String anchor) {
    this.expected = anchor;
  }

  /** Checks the next record; false once a record was bad (this one or an earlier one). */
  public boolean next(AuditRecord record) {
    if (firstBadId != null) {
      return false;
    }
    if (!expected.equals(record.prevHash()) || !record.hashHolds()) {
      firstBadId = record.id();
      return false;
    }
    expected = record.hash();
    records++;
    return true;
  }

  /** The records checked good so far. */
  public long records() {
    return records;
  }

  /** The id of the first bad record, or null while all were good. */
  public String firstBadId() {
    return firstBadId;
  }
}
