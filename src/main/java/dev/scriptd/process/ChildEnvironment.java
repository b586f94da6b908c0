package dev.scriptd.process;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The environment every child process of scriptd starts with, built in three layers, each
 * overriding the one before: the server's variables that {@code runs.inherit_env} names (a trailing
 * {@code *} is a prefix), never one of the server's {@code SCRIPTD_*} (they carry the admin token
 * and the configuration); then the run's own {@code env}; then scriptd's variables for the run
 * ({@code SCRIPTD_RUN_ID}). Without a {@code PATH} from either of the first two, {@link #DEFAULT_PATH}
 * is set, so {@code setsid}, {@code prlimit} and the shell still resolve. Immutable.
 */
final class ChildEnvironment {
  /** The prefix of the server's own settings and secrets: never inherited. */
  static final String SERVER_PREFIX = "SCRIPTD_";
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final Map<String, String> inherited;

  /**
   * {@code inherit}: names and prefixes ({@code LC_*}); {@code serverEnv}: the server's environment
   * (System.getenv() in the server, any map in tests).
   */
  ChildEnvironment(List<String> inherit, Map<String, String> serverEnv) {
    Map<String, String> kept = new TreeMap<>();
    for (Map.Entry<String, String> variable : serverEnv.entrySet()) {
      String name = variable.getKey();
      if (!name.startsWith(SERVER_PREFIX) && allowed(inherit, name)) {
        kept.put(name, variable.getValue());
      }
    }
    this.inherited = Collections.unmodifiableMap(kept);
  }

  private static boolean allowed(List<String> inherit, String name) {
    for (String entry : inherit) {
      if (entry.endsWith("*") ? name.startsWith(entry.substring(0, entry.length() - 1)) : name.equals(entry)) {
        return true;
      }
    }
    return false;
  }

  /** What a child that runs no user command gets (the orphan reaper): the inherited layer and a PATH. */
  Map<String, String> base() {
    return forRun(Map.of(), Map.of());
  }

  /**
   * A run's environment: the inherited layer, then {@code runEnv} (the variables the process gets,
   * see SecretEnv.processEnv), then {@code own} (scriptd's variables, which win).
   */
  Map<String, String> forRun(Map<String, String> runEnv, Map<String, String> own) {
    Map<String, String> env = new LinkedHashMap<>(inherited);
    env.putAll(runEnv);
    env.putIfAbsent("PATH", DEFAULT_PATH);
    env.putAll(own);
    return env;
  }
}
