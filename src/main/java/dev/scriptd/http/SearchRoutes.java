package dev.scriptd.http;

import dev.scriptd.bus.Addresses;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.bus.SearchPage;
import dev.scriptd.bus.SearchQuery;
import dev.scriptd.domain.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** GET /api/search: stored log lines containing a text, with the run-list filters. */
final class SearchRoutes {
  static final int MIN_LENGTH = 3;
  static final int MAX_LENGTH = 1000;

  private final Bus bus;

  SearchRoutes(Bus bus) {
    this.bus = bus;
  }

  void mount(Router router) {
    router.get("/api/search").handler(this::search);
  }

  private void search(RoutingContext ctx) {
    Fields fields = new Fields();
    String text = ctx.request().getParam("q");
    int length = text == null ? 0 : text.codePointCount(0, text.length());
    if (length < MIN_LENGTH || length > MAX_LENGTH) {
      fields.error("q", "must be " + MIN_LENGTH + ".." + MAX_LENGTH
          + " characters: the text to find in stored log lines");
    }
    RunQuery runs = RunRoutes.historyQuery(ctx, fields, null);
    fields.check();
    bus.<SearchPage>request(Addresses.DB_SEARCH_LOGS, new SearchQuery(text, runs))
        .onSuccess(page -> Json.send(ctx, 200, pageJson(page)))
        .onFailure(ctx::fail);
  }

  static JsonObject pageJson(SearchPage page) {
    JsonArray items = new JsonArray();
    for (SearchPage.Hit hit : page.items()) {
      items.add(new JsonObject()
          .put("run_id", hit.runId())
          .put("script_id", hit.scriptId())
          .put("seq", hit.line().seq())
          .put("ts", Times.format(hit.line().timestamp()))
          .put("stream", hit.line().stream().wire())
          .put("line", hit.line().text()));
    }
    return new JsonObject().put("items", items).put("next_cursor", page.nextCursor());
  }
}
