package dev.scriptd.process;

import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import com.zaxxer.nuprocess.NuProcessHandler;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a child through NuProcess without NuProcess's factory-wide lock.
 *
 * <p>NuProcess 3.0.0 on Linux starts every child inside {@code synchronized (LinProcessFactory.class)},
 * a lock added when it called {@code posix_spawn} itself and a child spawned by one thread could
 * inherit the pipes another thread had just made. It now spawns through the JDK's own
 * {@code forkAndExec}, whose child closes every descriptor above stderr before it execs, so no
 * pipe can leak into another child; the JDK's {@code ProcessBuilder} calls the same code from many
 * threads at once. The lock only serializes spawns: with 8 runs starting at once each waited
 * ~20 ms for it. So on Linux the process is made and started here directly (its constructor is
 * package-private, hence reflection, resolved once); elsewhere, or if the class is not what this
 * version of NuProcess has, the builder's locked path is used.
 */
final class ChildSpawn {
  private static final Logger LOG = LoggerFactory.getLogger(ChildSpawn.class);
  private static final String LINUX_PROCESS = "com.zaxxer.nuprocess.linux.LinuxProcess";

  private final Constructor<?> create;
  private final Method start;

  private ChildSpawn(Constructor<?> create, Method start) {
    this.create = create;
    this.start = start;
  }

  /** The spawner for this platform: unlocked on Linux when NuProcess is the version it knows. */
  static ChildSpawn forThisPlatform() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return new ChildSpawn(null, null);
    }
    try {
      Class<?> type = Class.forName(LINUX_PROCESS);
      Constructor<?> create = type.getDeclaredConstructor(NuProcessHandler.class);
      create.setAccessible(true);
      Method start = type.getMethod("start", List.class, String[].class, Path.class);
      return new ChildSpawn(create, start);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("spawns go through NuProcess's builder, one at a time: {}", e.toString());
      return new ChildSpawn(null, null);
    }
  }

  /** Whether spawns of several threads run at once. */
  boolean parallel() {
    return create != null;
  }

  /** Starts {@code command}; null when the process could not be started (NuProcess then called onExit). */
  NuProcess start(List<String> command, Map<String, String> env, Path cwd, NuProcessHandler handler) {
    if (create == null) {
      NuProcessBuilder builder = new NuProcessBuilder(command, env);
      builder.setCwd(cwd);
      builder.setProcessListener(handler);
      return builder.start();
    }
    List<String> commandCopy = List.copyOf(command);
    commandCopy.forEach(part -> refuseNul(part, "a command"));
    String[] environment = new String[env.size()];
    int i = 0;
    for (Map.Entry<String, String> variable : env.entrySet()) {
      refuseNul(variable.getKey(), "an environment variable's name");
      refuseNul(variable.getValue(), "an environment variable's value");
      environment[i++] = variable.getKey() + "=" + variable.getValue();
    }
    try {
      Object process = create.newInstance(handler);
      return (NuProcess) start.invoke(process, commandCopy, environment, cwd);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("could not start a process through NuProcess", e);
    }
  }

  private static void refuseNul(String text, String what) {
    if (text.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException(what + " may not contain a NUL character");
    }
  }
}
