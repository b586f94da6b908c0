package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.BusFailure;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DiskSpace: a write that found the disk full, the refusals meanwhile, and the room that ends it")
class DiskSpaceTest {
  private static final SQLException FULL =
      new SQLException("[SQLITE_FULL] Insertion failed because database is full (database or disk is full)");

  @Test
  @DisplayName("SQLite's full answers and ENOSPC count as a full disk; other failures do not")
  void whatCountsAsFull() {
    assertTrue(DiskSpace.isDiskFull(FULL));
    assertTrue(DiskSpace.isDiskFull(new RuntimeException("flush", new java.io.IOException("No space left on device"))));
    assertTrue(DiskSpace.isDiskFull(new BusFailure(507, "the disk is full")));
    assertFalse(DiskSpace.isDiskFull(new SQLException("[SQLITE_BUSY] database is locked")));
    assertFalse(DiskSpace.isDiskFull(new BusFailure(503, "database error")));
  }

  @Test
  @DisplayName("full from the first failure until at least RESUME_FREE_BYTES are free again; the refusal is a 507 naming the directory")
  void fullUntilThereIsRoom() {
    DiskSpace disk = new DiskSpace(Path.of("/srv/scriptd/data"));
    assertFalse(disk.full());
    assertFalse(disk.failed(new SQLException("constraint failed")));
    assertFalse(disk.full());
    assertTrue(disk.failed(FULL));
    assertFalse(disk.failed(FULL), "told once");
    assertTrue(disk.full());
    assertFalse(disk.measured(DiskSpace.RESUME_FREE_BYTES - 1));
    BusFailure refusal = disk.refusal();
    assertEquals(507, refusal.code());
    assertTrue(refusal.getMessage().contains("/srv/scriptd/data") && refusal.getMessage().contains("full")
        && refusal.getMessage().contains((DiskSpace.RESUME_FREE_BYTES - 1) + " bytes free"), refusal.getMessage());
    assertTrue(disk.measured(DiskSpace.RESUME_FREE_BYTES));
    assertFalse(disk.full());
    assertFalse(disk.measured(DiskSpace.RESUME_FREE_BYTES), "room again is told once");
  }
}
