package dev.scriptd.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL for the tests: one cluster per test JVM, started on first use in a fresh
 * temporary directory (trust authentication, loopback only, fsync off), stopped and removed when the
 * JVM exits. Each test takes a database of its own with {@link #newDatabaseUrl()}.
 *
 * <p>initdb refuses to run as root, so as root the cluster belongs to the {@code postgres} user (Debian's
 * package creates it) and its programs run through {@code runuser}; otherwise as the current user.
 */
public final class PostgresServer {
  private static final Path INSTALL = Path.of("/usr/lib/postgresql");
  private static final long TIMEOUT_SECONDS = 60;
  private static PostgresServer shared;

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgres;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresServer(Path bin, Path dir, int port, boolean asPostgres) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgres = asPostgres;
  }

  /** The server of this test JVM, started at the first call. */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      try {
        shared = start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /** A new empty database owned by {@code postgres}: {@code postgresql://postgres@127.0.0.1:PORT/NAME}. */
  public String newDatabaseUrl() {
    String name = newDatabase();
    return "postgresql://postgres@127.0.0.1:" + port + "/" + name;
  }

  /** Creates a new empty database and returns its name (lower case, so it needs no quoting). */
  public String newDatabase() {
    String name = "scriptd_test_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
    psql("postgres", "-c", "CREATE DATABASE " + name);
    return name;
  }

  public int port() {
    return port;
  }

  /**
   * Runs psql against a database of this server with ON_ERROR_STOP (so a failing statement fails
   * the call) and returns its standard output; extra arguments follow (e.g. {@code -c SQL}, {@code -f FILE}).
   */
  public String psql(String database, String... args) {
    List<String> command = new ArrayList<>(List.of(bin.resolve("psql").toString(), "-X", "-q",
        "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "postgres", "-d", database));
    command.addAll(List.of(args));
    try {
      return run(new ProcessBuilder(command));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static PostgresServer start() throws IOException {
    Path bin = binaries();
    boolean asPostgres = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("scriptd-pg-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    if (asPostgres) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
      try {
        view.setOwner(users.lookupPrincipalByName("postgres"));
        GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
        view.setGroup(group);
      } catch (UserPrincipalNotFoundException e) {
        throw new IllegalStateException("the PostgreSQL tests run initdb as the 'postgres' user when run "
            + "as root (initdb refuses root), and there is no such user: install Debian's 'postgresql' "
            + "package, which creates it, or run the tests as another user", e);
      }
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path data = dir.resolve("data");
    PostgresServer server = new PostgresServer(bin, dir, port, asPostgres);
    Runtime.getRuntime().addShutdownHook(new Thread(server::stopAndRemove, "postgres-test-server-stop"));
    server.run(server.asOwner(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
        "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"));
    server.run(server.asOwner(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w",
        "-l", dir.resolve("server.log").toString(),
        "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
    return server;
  }

  /** The newest installed version's programs; a clear failure when PostgreSQL is not installed. */
  private static Path binaries() throws IOException {
    if (Files.isDirectory(INSTALL)) {
      try (Stream<Path> versions = Files.list(INSTALL)) {
        Path newest = versions
            .filter(version -> Files.isExecutable(version.resolve("bin/initdb")))
            .max(Comparator.comparingInt(PostgresServer::major))
            .orElse(null);
        if (newest != null) {
          return newest.resolve("bin");
        }
      }
    }
    throw new IllegalStateException("the PostgreSQL tests need a PostgreSQL server: no "
        + INSTALL + "/<version>/bin/initdb here; install Debian's 'postgresql' package "
        + "(apt-get install postgresql), as .ci/run does");
  }

  private static int major(Path version) {
    try {
      return Integer.parseInt(version.getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private ProcessBuilder asOwner(String... command) {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    // the postgres user may not read the test's working directory
    return new ProcessBuilder(full).directory(Path.of("/").toFile());
  }

  /** Runs to completion; a non-zero exit throws with the program's output. */
  private String run(ProcessBuilder builder) throws IOException {
    Path errors = Files.createTempFile("scriptd-pg-", ".err");
    try {
      Process process = builder.redirectErrorStream(false)
          .redirectError(ProcessBuilder.Redirect.to(errors.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(builder.command() + " did not finish in " + TIMEOUT_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        throw new IOException(builder.command() + " exited with " + process.exitValue() + ": "
            + new String(out, StandardCharsets.UTF_8) + Files.readString(errors) + serverLog());
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      Files.deleteIfExists(errors);
    }
  }

  private String serverLog() {
    try {
      Path log = dir.resolve("server.log");
      return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private void stopAndRemove() {
    try {
      if (Files.exists(dir.resolve("data/postmaster.pid"))) {
        run(asOwner(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w",
            "-m", "immediate", "stop"));
      }
    } catch (IOException e) {
      System.err.println("could not stop the test PostgreSQL in " + dir + ": " + e.getMessage());
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      System.err.println("could not remove the test PostgreSQL's directory " + dir + ": " + e.getMessage());
    }
  }
}
