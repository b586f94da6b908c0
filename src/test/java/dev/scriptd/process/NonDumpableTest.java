package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The server process is non-dumpable so that a run under the server's uid cannot read its
 * environment: checked with two real processes of an unprivileged uid (65534), one that made itself
 * non-dumpable and one that did not, each read by a third process of the same uid.
 */
class NonDumpableTest {
  private static final String UID = "65534";
  private static final String MARK = "SCRIPTD_PROBE_MARK=visible-to-the-same-uid";

  @TempDir
  Path temp;

  @Test
  @DisplayName("a process of the same uid reads a dumpable process's environ but not a non-dumpable one's")
  void sameUidCannotReadTheEnvironOfANonDumpableProcess() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "needs root to start processes as uid 65534 (setpriv)");
    Path classpath = readableClasspath();

    Probe plain = Probe.start(classpath, "plain");
    try {
      Read read = readEnviron(plain.pid);
      assertEquals(0, read.exitCode, "a dumpable process's environ is readable by its own uid: " + read.output);
      assertTrue(read.output.contains(MARK), read.output);
    } finally {
      plain.close();
    }

    Probe protectedProbe = Probe.start(classpath, "protect");
    try {
      Read read = readEnviron(protectedProbe.pid);
      assertNotEquals(0, read.exitCode, "the environ of a non-dumpable process must not be readable");
      assertTrue(!read.output.contains(MARK), read.output);
    } finally {
      protectedProbe.close();
    }
  }

  @Test
  @DisplayName("apply leaves this process non-dumpable")
  void applyLeavesTheProcessNonDumpable() {
    assertTrue(NonDumpable.apply());
    assertEquals(0, NonDumpable.state());
  }

  /** The probe's classes and jars copied where uid 65534 can read them (the build dir may not be). */
  private Path readableClasspath() throws Exception {
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path classes = temp.resolve("classes/dev/scriptd/process");
    Files.createDirectories(classes);
    for (Class<?> type : List.of(NonDumpable.class, NonDumpable.Prctl.class, NonDumpableProbe.class)) {
      String file = type.getName().substring(type.getPackageName().length() + 1) + ".class";
      Files.copy(location(type).resolve("dev/scriptd/process").resolve(file), classes.resolve(file));
    }
    Files.copy(location(Native.class), temp.resolve("jna.jar"));
    Files.copy(location(LoggerFactory.class), temp.resolve("slf4j-api.jar"));
    try (var paths = Files.walk(temp)) {
      for (Path path : paths.toList()) {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
            Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    return temp;
  }

  private static Path location(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static List<String> asNobody(String... command) {
    List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups"));
    argv.addAll(List.of(command));
    return argv;
  }

  private record Read(int exitCode, String output) {
  }

  private static Read readEnviron(long pid) throws Exception {
    Process cat = new ProcessBuilder(asNobody("cat", "/proc/" + pid + "/environ")).redirectErrorStream(true).start();
    String output = new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace('\0', '\n');
    assertTrue(cat.waitFor(10, TimeUnit.SECONDS));
    return new Read(cat.exitValue(), output);
  }

  private static final class Probe implements AutoCloseable {
    final Process process;
    final long pid;

    private Probe(Process process, long pid) {
      this.process = process;
      this.pid = pid;
    }

    static Probe start(Path dir, String mode) throws Exception {
      String java = ProcessHandle.current().info().command().orElse("java");
      String classpath = dir.resolve("classes") + ":" + dir.resolve("jna.jar") + ":" + dir.resolve("slf4j-api.jar");
      ProcessBuilder builder = new ProcessBuilder(asNobody(java, "-Xmx32m", "-Djna.tmpdir=" + dir.resolve("jna-tmp"),
          "-cp", classpath, NonDumpableProbe.class.getName(), mode)).redirectError(ProcessBuilder.Redirect.DISCARD);
      builder.environment().put("SCRIPTD_PROBE_MARK", "visible-to-the-same-uid");
      Files.createDirectories(dir.resolve("jna-tmp"));
      Files.setPosixFilePermissions(dir.resolve("jna-tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
      Process process = builder.start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine(); // blocks until the probe is ready or ended (then null)
      assertTrue(line != null && line.startsWith("ready "), "probe " + mode + " said: " + line);
      return new Probe(process, Long.parseLong(line.substring(6).trim()));
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
