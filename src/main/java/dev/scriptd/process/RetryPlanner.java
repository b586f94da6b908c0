package dev.scriptd.process;

import dev.scriptd.domain.Run;
import dev.scriptd.domain.RunStatus;
import dev.scriptd.domain.ScriptAutomation;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Whether a run that ended is followed by a retry, and when: only a run that started, ended in a
 * status its script's {@code retry.on} lists (never {@code killed}), with attempts left
 * ({@code attempt < max_attempts}); the next attempt is due at the end + {@code delay_ms} ×
 * {@code backoff}^(n-1) for the n-th retry, capped at {@code max_delay_ms}. No clock, no I/O.
 */
final class RetryPlanner {
  private RetryPlanner() {
  }

  /** The due time of the next attempt, or null when none follows. */
  static Instant nextAttemptAt(JsonObject retry, Run ended) {
    if (retry == null || !ended.status().isFinal() || ended.status() == RunStatus.KILLED
        || ended.startedAt() == null || !ScriptAutomation.listed(retry, ended.status())) {
      return null;
    }
    int next = ended.lineage().attempt() + 1;
    if (next > retry.getInteger("max_attempts")) {
      return null;
    }
    Instant end = ended.endedAt() == null ? Instant.now() : ended.endedAt();
    return end.plusMillis(ScriptAutomation.retryDelayMs(retry, next));
  }

  /**
   * The pending run of the next attempt after {@code ended}, with trigger retry, due at {@code due}:
   * the same command, env, cwd, limits and parameter values (not its outputs).
   */
  static Run nextAttempt(Run ended, String id, Instant due, Instant now) {
    return Run.pending(id, ended.scriptId(), ended.kind(), ended.command(), "retry", ended.timeoutSeconds(),
        ended.env(), ended.cwd(), null, now, ended.limits())
        .withIo(ended.io().withOutputs(null))
        .withLineage(ended.lineage().nextAttempt(ended.id(), due));
  }
}
