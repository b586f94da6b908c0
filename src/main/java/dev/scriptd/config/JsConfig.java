package dev.scriptd.config;

import io.vertx.core.json.JsonObject;

/**
 * JavaScript execution settings (section {@code js} of the config).
 *
 * @param workers threads executing programs (a named worker pool); more programs wait their turn
 * @param endpointTimeoutMs wall-clock limit of one JS endpoint call
 * @param maxStatements statements one execution may run (GraalJS ResourceLimits)
 * @param maxAllocatedBytes bytes the executing thread may allocate during one execution (garbage
 *     included); past it the execution is cancelled as "memory limit exceeded"
 * @param maxLineChars longer log lines are cut
 * @param cacheSize compiled sources kept (script id + version, or content hash for ad-hoc programs)
 * @param maxResultBytes encoded size limit of a result
 * @param contextMaxUses calls one pooled endpoint context serves before it is replaced
 * @param poolSize idle endpoint contexts kept at most (over all endpoints)
 */
public record JsConfig(int workers, long endpointTimeoutMs, long maxStatements, long maxAllocatedBytes,
    int maxLineChars, int cacheSize, int maxResultBytes, int contextMaxUses, int poolSize) {

  public static JsConfig fromJson(JsonObject json) {
    Settings js = new Settings(json, "").section("js");
    return new JsConfig(
        js.intValue("workers", 2, 1, 256),
        js.longValue("endpoint_timeout_ms", 30_000, 10, 3_600_000),
        js.longValue("max_statements", 100_000_000, 1000, Long.MAX_VALUE),
        js.longValue("max_allocated_bytes", 256L << 20, 1 << 20, Long.MAX_VALUE),
        js.intValue("max_line_chars", 65_536, 64, 16 << 20),
        js.intValue("cache_size", 256, 1, 100_000),
        js.intValue("max_result_bytes", 1 << 20, 1024, 64 << 20),
        js.intValue("context_max_uses", 100, 1, 1_000_000),
        js.intValue("pool_size", 16, 0, 10_000));
  }
}
