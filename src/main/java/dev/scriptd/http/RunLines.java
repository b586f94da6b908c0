package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.LogPage;
import dev.scriptd.bus.LogQuery;
import dev.scriptd.domain.Run;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Reads a run's stored lines for the JSON log pages and {@code log.txt}. In a cluster, the lines of
 * a run live on another node are read through that node's persistence, which answers with every
 * line it received before the read (its log writer may not have committed them to the shared
 * database yet); an ended run's lines, and those of a node that does not answer, come from the
 * shared database.
 */
final class RunLines {
  private final EventBus eventBus;
  private final Bus bus;
  /** This node's id in a cluster; null on a single node. */
  private final String nodeId;

  RunLines(EventBus eventBus, Bus bus, String nodeId) {
    this.eventBus = eventBus;
    this.bus = bus;
    this.nodeId = nodeId;
  }

  Future<LogPage> read(Run run, long since, int limit) {
    LogQuery query = new LogQuery(run.id(), since, limit);
    if (nodeId == null || run.node() == null || run.node().equals(nodeId) || run.status().isFinal()) {
      return bus.request(Addresses.DB_READ_LOGS, query);
    }
    return eventBus.<JsonObject>request(Addresses.onNode(bus.namespace().of(Addresses.DB_READ_LOGS), run.node()),
            query.toJson())
        .map(Message::body)
        .map(LogPage::fromJson)
        .recover(unanswered -> bus.request(Addresses.DB_READ_LOGS, query));
  }
}
