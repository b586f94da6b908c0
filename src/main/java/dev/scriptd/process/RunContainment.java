package dev.scriptd.process;

import dev.scriptd.config.ScriptdConfig;
import dev.scriptd.domain.RunUsage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this server contains its runs' processes, decided once at start ({@link #open}): a cgroup
 * per run under {@link #parent} (a group of its own, per data dir), or process groups, and why.
 * The methods that touch files block: call them from a worker.
 */
final class RunContainment {
  private static final Logger LOG = LoggerFactory.getLogger(RunContainment.class);
  /** The controllers whose limits a run gets (cpu.max is a rate, and no run limit is one). */
  private static final List<String> WANTED = List.of("memory", "pids");

  private final Path parent;
  private final String reason;
  private final Set<String> controllers;
  private final boolean removeAtClose;

  private RunContainment(Path parent, String reason, Set<String> controllers, boolean removeAtClose) {
    this.parent = parent;
    this.reason = reason;
    this.controllers = Set.copyOf(controllers);
    this.removeAtClose = removeAtClose;
  }

  static RunContainment processGroups(String reason) {
    return new RunContainment(null, reason, Set.of(), false);
  }

  /**
   * Blocking. Decides the mode from the config and what this host allows. Fails with
   * {@link IllegalStateException} when {@code runs.containment} is {@code cgroup} and no cgroup can
   * be made.
   */
  static RunContainment open(ScriptdConfig.Containment config, Path dataDir) {
    if (ScriptdConfig.Containment.PROCESS_GROUP.equals(config.mode())) {
      return processGroups("runs.containment is process_group");
    }
    String why;
    Path parent;
    boolean ours;
    if (config.cgroupRoot() != null) {
      parent = config.cgroupRoot();
      why = "runs.cgroup_root is " + parent;
      ours = !Files.exists(parent);
    } else {
      CgroupDiscovery.Found found = CgroupDiscovery.find(read(Path.of("/proc/self/cgroup")),
          read(Path.of("/proc/self/mountinfo")), RunContainment::writable);
      if (found.base() == null) {
        return fallBack(config, found.reason());
      }
      parent = CgroupDiscovery.runsParent(found.base(), dataDir);
      why = found.reason();
      ours = true;
    }
    try {
      Files.createDirectories(parent);
      if (!Files.exists(parent.resolve("cgroup.procs"))) {
        return fallBack(config, parent + " is not a cgroup v2 group");
      }
      if (!Files.isWritable(parent.resolve("cgroup.procs"))) {
        return fallBack(config, parent + " is not writable");
      }
    } catch (IOException | RuntimeException e) {
      return fallBack(config, "cannot create " + parent + ": " + e.getMessage());
    }
    Set<String> enabled = enableControllers(parent);
    return new RunContainment(parent, why + (enabled.isEmpty()
        ? "; no memory or pids controller there, so limits stay per-process rlimits"
        : "; controllers " + String.join(", ", enabled)), enabled, ours);
  }

  private static RunContainment fallBack(ScriptdConfig.Containment config, String reason) {
    if (ScriptdConfig.Containment.CGROUP.equals(config.mode())) {
      throw new IllegalStateException("runs.containment is cgroup but no cgroup can be made for runs: " + reason);
    }
    return processGroups(reason);
  }

  /** Whether runs get a cgroup each. */
  boolean cgroups() {
    return parent != null;
  }

  /** The group holding the runs' groups (null with process groups). */
  Path parent() {
    return parent;
  }

  /** The parent when this server made it (and so removes it when it stops), else null. */
  Path ownParent() {
    return removeAtClose ? parent : null;
  }

  String mode() {
    return cgroups() ? RunUsage.CGROUP : RunUsage.PROCESS_GROUP;
  }

  String reason() {
    return reason;
  }

  Set<String> controllers() {
    return controllers;
  }

  /** The group of run {@code runId} (not created yet); null with process groups. */
  RunCgroup cgroupOf(String runId) {
    return parent == null ? null : RunCgroup.of(parent, runId);
  }

  /** Blocking: the groups of runs left under the parent (by a server that crashed). */
  List<RunCgroup> leftovers() {
    List<RunCgroup> left = new ArrayList<>();
    if (parent == null) {
      return left;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent)) {
      for (Path dir : dirs) {
        if (Files.isDirectory(dir) && RunCgroup.runId(dir) != null) {
          left.add(new RunCgroup(dir));
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list {}", parent, e);
    }
    return left;
  }

  /** Blocking: removes the runs' parent group when this server made it (it must be empty by now). */
  void close() {
    if (parent != null && removeAtClose && !new RunCgroup(parent).remove()) {
      LOG.warn("could not remove {} (a run's group is left in it?)", parent);
    }
  }

  /** The {@code containment} check of /health. */
  JsonObject health() {
    JsonObject check = new JsonObject().put("status", "UP").put("mode", mode()).put("reason", reason);
    if (parent != null) {
      check.put("cgroup", parent.toString()).put("controllers", new JsonArray(List.copyOf(controllers)));
    }
    return check;
  }

  /**
   * Enables the wanted controllers for the runs' groups where the hierarchy offers them: in the
   * parent's {@code cgroup.subtree_control}, and first in its own parent's when that is not the
   * root (a delegated unit's group whose processes live in a sub-group). Each write may fail (a
   * group with processes of its own cannot pass controllers down); what ends up enabled is returned.
   */
  private static Set<String> enableControllers(Path parent) {
    Path above = parent.getParent();
    for (String controller : WANTED) {
      if (above != null && Files.exists(above.resolve("cgroup.events"))
          && words(above.resolve("cgroup.controllers")).contains(controller)) {
        tryWrite(above.resolve("cgroup.subtree_control"), "+" + controller);
      }
      if (words(parent.resolve("cgroup.controllers")).contains(controller)) {
        tryWrite(parent.resolve("cgroup.subtree_control"), "+" + controller);
      }
    }
    Set<String> enabled = new LinkedHashSet<>(words(parent.resolve("cgroup.subtree_control")));
    enabled.retainAll(WANTED);
    return enabled;
  }

  private static void tryWrite(Path file, String value) {
    try {
      Files.writeString(file, value);
    } catch (IOException e) {
      LOG.debug("could not write {} to {}: {}", value, file, e.toString());
    }
  }

  private static List<String> words(Path file) {
    String text = read(file).trim();
    return text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
  }

  private static boolean writable(Path dir) {
    return Files.isDirectory(dir) && Files.exists(dir.resolve("cgroup.procs")) && Files.isWritable(dir)
        && Files.isWritable(dir.resolve("cgroup.procs"));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
