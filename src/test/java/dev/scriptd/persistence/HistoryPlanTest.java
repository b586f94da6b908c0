package dev.scriptd.persistence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.bus.RunQuery;
import dev.scriptd.domain.RunStatus;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("History queries walk an index in order: no full scan, no sort of the whole table")
class HistoryPlanTest extends PersistenceTestBase {

  private List<String> plan(RunQuery query, boolean withCursor) throws Exception {
    return plan(RunRows.page(query, withCursor ? new RunCursor(T0, "x") : null, 50));
  }

  private List<String> plan(RunRows.PageQuery page) throws Exception {
    List<String> steps = new ArrayList<>();
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dbFile());
        PreparedStatement explain = db.prepareStatement("EXPLAIN QUERY PLAN " + page.sql())) {
      for (int i = 0; i < page.params().size(); i++) {
        explain.setObject(i + 1, page.params().getValue(i));
      }
      try (ResultSet rows = explain.executeQuery()) {
        while (rows.next()) {
          steps.add(rows.getString("detail"));
        }
      }
    }
    return steps;
  }

  private void assertIndexed(RunQuery query, String index) throws Exception {
    for (boolean cursor : new boolean[] {false, true}) {
      List<String> steps = plan(query, cursor);
      String text = String.join(" | ", steps);
      assertTrue(text.contains(index), text);
      assertFalse(text.contains("TEMP B-TREE"), text);
      assertTrue(text.startsWith("SEARCH") || !cursor && text.startsWith("SCAN runs USING INDEX"), text);
      if (cursor) {
        assertTrue(text.contains("(created_at,id)<(?,?)"), "the cursor must bound the index search: " + text);
      }
    }
  }

  @Test
  @DisplayName("the unfiltered list, by script, by status and by time use their indexes")
  void plans() throws Exception {
    assertIndexed(new RunQuery(null, null, null, null, 50, null), "runs_by_created");
    assertIndexed(new RunQuery("s", null, null, null, 50, null), "runs_by_script");
    assertIndexed(new RunQuery(null, RunStatus.FAILED, null, null, 50, null), "runs_by_status");
    assertIndexed(new RunQuery(null, null, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 1000), 50, null),
        "runs_by_created");
  }

  @Test
  @DisplayName("the stats of one script, percentiles included, read only that script's rows through its index")
  void statsOfOneScript() throws Exception {
    List<String> steps = plan(RunRows.stats(new RunQuery("s", null, null, null, 50, null)));
    String text = String.join(" | ", steps);
    long scans = steps.stream().filter(step -> step.startsWith("SCAN runs")).count();
    long seeks = steps.stream().filter(step -> step.contains("runs USING INDEX runs_by_script (script_id=?)")).count();
    assertTrue(scans == 0 && seeks == 2, text);
  }
}
