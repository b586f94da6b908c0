package dev.scriptd.persistence;

import dev.scriptd.bus.BusFailure;
import dev.scriptd.bus.ReplyCodes;
import dev.scriptd.bus.RunPage;
import dev.scriptd.bus.RunQuery;
import dev.scriptd.bus.ScriptChanges;
import dev.scriptd.bus.ScriptEntry;
import dev.scriptd.bus.ScriptList;
import dev.scriptd.bus.ScriptQuery;
import dev.scriptd.domain.Run;
import dev.scriptd.domain.Script;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/** Scripts, queued runs and run statistics: the persistence side of issue 4. */
final class ScriptStore {
  private final Database db;
  private final LogBatcher batcher;
  private final LogFiles files;
  private final RunView view;

  ScriptStore(Database db, LogBatcher batcher, LogFiles files, RunView view) {
    this.db = db;
    this.batcher = batcher;
    this.files = files;
    this.view = view;
  }

  Future<Script> save(Script script) {
    return db.write(conn -> routeFree(conn, script)
            .compose(v -> conn.preparedQuery(ScriptRows.UPSERT).execute(ScriptRows.upsertParams(script))))
        .map(script)
        .recover(err -> Future.failedFuture(isNameTaken(err)
            ? new BusFailure(ReplyCodes.CONFLICT, "a script named '" + script.name()
                + "' already exists; choose another name or update that script")
            : isRouteTaken(err) ? routeTaken(script, null) : err));
  }

  private boolean isNameTaken(Throwable err) {
    return db.dialect().uniqueViolation(err, "scripts", "name");
  }

  private boolean isRouteTaken(Throwable err) {
    return db.dialect().uniqueViolation(err, "scripts", "endpoint_key");
  }

  /**
   * Fails with a 409 naming the script that already serves this script's route. Writes run one at
   * a time (SQLite's single writer, PostgreSQL's write lock), so the check and the save that follows
   * it cannot interleave with another save; the unique index on endpoint_key holds the rule even so.
   */
  private static Future<Void> routeFree(SqlConnection conn, Script script) {
    String key = ScriptRows.endpointKey(script);
    if (key == null) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(ScriptRows.ENDPOINT_HOLDER).execute(Tuple.of(key, script.id())).map(rows -> {
      if (rows.size() > 0) {
        throw routeTaken(script, rows.iterator().next().getString(0));
      }
      return null;
    });
  }

  private static BusFailure routeTaken(Script script, String holder) {
    JsonObject endpoint = script.endpoint();
    return new BusFailure(ReplyCodes.CONFLICT, "endpoint " + endpoint.getString("method") + " /hooks/"
        + endpoint.getString("path") + " is already served by "
        + (holder == null ? "another script" : "script '" + holder + "'")
        + "; two scripts cannot serve the same method and path: choose another path or method, "
        + "or change that script's endpoint first");
  }

  Future<ScriptEntry> get(String idOrName) {
    return db.reader().preparedQuery(ScriptRows.GET).execute(Tuple.of(idOrName, idOrName, idOrName))
        .map(rows -> {
          if (rows.size() == 0) {
            throw new BusFailure(ReplyCodes.NOT_FOUND, "script '" + idOrName
                + "' not found; check the id or name (list them with GET /api/scripts)");
          }
          return ScriptRows.entryFromRow(rows.iterator().next());
        });
  }

  /** Keyset pages by name; the cursor is the last name of the previous page, base64url-encoded. */
  Future<ScriptList> list(ScriptQuery query) {
    String after = "";
    if (query.cursor() != null && !query.cursor().isEmpty()) {
      try {
        after = new String(Base64.getUrlDecoder().decode(query.cursor()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new BusFailure(ReplyCodes.BAD_REQUEST,
            "cursor is not valid; pass back the next_cursor of a previous page"));
      }
    }
    int limit = query.limit() <= 0 ? 50 : Math.min(query.limit(), 1000);
    return db.reader().preparedQuery(ScriptRows.LIST).execute(Tuple.of(after, limit + 1)).map(rows -> {
      List<ScriptEntry> items = new ArrayList<>(rows.size());
      for (Row row : rows) {
        items.add(ScriptRows.entryFromRow(row));
      }
      if (items.size() <= limit) {
        return new ScriptList(items, null);
      }
      List<ScriptEntry> page = items.subList(0, limit);
      String last = page.get(limit - 1).script().name();
      return new ScriptList(page, Base64.getUrlEncoder().withoutPadding()
          .encodeToString(last.getBytes(StandardCharsets.UTF_8)));
    });
  }

  /** Lines still buffered are written first, so no chunk of a deleted run is inserted afterwards. */
  Future<Void> delete(String scriptId) {
    List<LogFiles.RunRef> runs = new ArrayList<>();
    return batcher.flush().compose(v -> db.write(conn -> conn.preparedQuery(ScriptRows.RUNNING_COUNT)
        .execute(Tuple.of(scriptId))
        .compose(rows -> {
          if (rows.iterator().next().getLong(0) > 0) {
            throw new BusFailure(ReplyCodes.CONFLICT, "script " + scriptId
                + " still has running runs; kill them first");
          }
          return conn.preparedQuery(ScriptRows.RUNS_OF).execute(Tuple.of(scriptId));
        })
        .compose(rows -> {
          for (Row row : rows) {
            runs.add(new LogFiles.RunRef(row.getString(0), row.getLong(1)));
          }
          return conn.preparedQuery(ScriptRows.DELETE_CHUNKS).execute(Tuple.of(scriptId));
        })
        .compose(v2 -> conn.preparedQuery(ScriptRows.DELETE_RUNS).execute(Tuple.of(scriptId)))
        .compose(v2 -> conn.preparedQuery(ScriptRows.DELETE).execute(Tuple.of(scriptId)))))
        .compose(v -> {
          view.deleted(runs.stream().map(LogFiles.RunRef::id).toList());
          return files.delete(runs);
        })
        .mapEmpty();
  }

  /**
   * Every change of an apply in one transaction: first the checks (no pending or running run of a
   * script to delete, every script to update or delete still at the version it was planned
   * from), then the writes; a failed check or write leaves everything as it was. Log files of the
   * deleted runs go after the commit, as in {@link #delete}.
   */
  Future<ScriptChanges> apply(ScriptChanges changes) {
    List<LogFiles.RunRef> runs = new ArrayList<>();
    Future<Void> flushed = changes.deletes().isEmpty() ? Future.succeededFuture() : batcher.flush();
    return flushed.compose(v -> db.write(conn -> each(changes.deletes(), script -> activeRuns(conn, script))
        .compose(v2 -> each(changes.updates(), script -> expectVersion(conn, script, script.version() - 1)))
        .compose(v2 -> each(changes.deletes(), script -> expectVersion(conn, script, script.version())))
        // the routes of deleted and updated scripts are free for the rest of the apply, so a
        // route may move from one script to another, or two scripts swap theirs, in one apply
        .compose(v2 -> each(changes.deletes(), script -> deleteRows(conn, script.id(), runs)))
        .compose(v2 -> each(changes.updates(), script -> conn.preparedQuery(ScriptRows.RELEASE_ENDPOINT)
            .execute(Tuple.of(script.id()))))
        .compose(v2 -> each(changes.creates(), script -> upsert(conn, script)))
        .compose(v2 -> each(changes.updates(), script -> upsert(conn, script)))))
        .compose(v -> {
          // reads answer from the view: it must forget the deleted runs before apply answers
          view.deleted(runs.stream().map(LogFiles.RunRef::id).toList());
          return files.delete(runs);
        })
        .map(changes);
  }

  private static Future<Void> each(List<Script> scripts, Function<Script, Future<?>> step) {
    Future<?> chain = Future.succeededFuture();
    for (Script script : scripts) {
      chain = chain.compose(v -> step.apply(script));
    }
    return chain.mapEmpty();
  }

  private static Future<Void> activeRuns(SqlConnection conn, Script script) {
    return conn.preparedQuery(ScriptRows.ACTIVE_COUNT).execute(Tuple.of(script.id())).map(rows -> {
      long active = rows.iterator().next().getLong(0);
      if (active > 0) {
        throw new BusFailure(ReplyCodes.CONFLICT, "script " + script.name() + " has " + active
            + " pending or running run(s), so it cannot be pruned; kill them (POST /api/scripts/" + script.name()
            + "/kill) or wait for them, then apply again; nothing was changed");
      }
      return null;
    });
  }

  private static Future<Void> expectVersion(SqlConnection conn, Script script, long version) {
    return conn.preparedQuery(ScriptRows.VERSION_OF).execute(Tuple.of(script.id())).map(rows -> {
      if (rows.size() == 0 || rows.iterator().next().getLong(0) != version) {
        throw new BusFailure(ReplyCodes.CONFLICT, "script " + script.name()
            + " was changed by someone else while this apply was planned; apply again; nothing was changed");
      }
      return null;
    });
  }

  private Future<Void> upsert(SqlConnection conn, Script script) {
    return routeFree(conn, script)
        .compose(v -> conn.preparedQuery(ScriptRows.UPSERT).execute(ScriptRows.upsertParams(script)))
        .<Void>mapEmpty()
        .recover(err -> Future.failedFuture(isNameTaken(err)
            ? new BusFailure(ReplyCodes.CONFLICT, "a script named '" + script.name()
                + "' was created by someone else while this apply was planned; apply again; nothing was changed")
            : err instanceof BusFailure failure ? applyFailure(script, failure)
            : isRouteTaken(err) ? applyFailure(script, routeTaken(script, null)) : err));
  }

  private static BusFailure applyFailure(Script script, BusFailure failure) {
    return new BusFailure(failure.code(), "script " + script.name() + ": " + failure.getMessage()
        + "; nothing was changed");
  }

  private static Future<Void> deleteRows(SqlConnection conn, String scriptId, List<LogFiles.RunRef> runs) {
    return conn.preparedQuery(ScriptRows.RUNS_OF).execute(Tuple.of(scriptId))
        .compose(rows -> {
          for (Row row : rows) {
            runs.add(new LogFiles.RunRef(row.getString(0), row.getLong(1)));
          }
          return conn.preparedQuery(ScriptRows.DELETE_CHUNKS).execute(Tuple.of(scriptId));
        })
        .compose(v -> conn.preparedQuery(ScriptRows.DELETE_RUNS).execute(Tuple.of(scriptId)))
        .compose(v -> conn.preparedQuery(ScriptRows.DELETE).execute(Tuple.of(scriptId)))
        .mapEmpty();
  }

  Future<RunPage> queued() {
    return pending(RunRows.SELECT_QUEUED);
  }

  Future<RunPage> slotWaiting() {
    return pending(RunRows.SELECT_SLOT_WAITING);
  }

  private Future<RunPage> pending(String query) {
    return db.reader().query(query).execute().map(rows -> {
      List<Run> runs = new ArrayList<>(rows.size());
      for (Row row : rows) {
        runs.add(RunRows.fromRow(row));
      }
      return new RunPage(runs, null);
    });
  }

  Future<JsonObject> stats(RunQuery query) {
    return RunRows.stats(db.reader(), query);
  }

  /** Where a new run's log file goes needs its script's name: looked up once, at its first save. */
  Future<Void> openLogFile(Run run) {
    if (!files.enabled() || run.status().isFinal() || files.knows(run.id())) {
      return Future.succeededFuture();
    }
    if (run.scriptId() == null) {
      files.opened(run, null);
      return Future.succeededFuture();
    }
    return db.reader().preparedQuery(ScriptRows.NAME_OF).execute(Tuple.of(run.scriptId()))
        .map(rows -> {
          files.opened(run, rows.size() == 0 ? null : rows.iterator().next().getString(0));
          return null;
        });
  }
}
