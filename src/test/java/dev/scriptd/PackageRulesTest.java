package dev.scriptd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The layout's promises, read from the sources under src/main/java/dev/scriptd: every reference to
 * another scriptd package (import, static import or qualified name in code; comments and strings do
 * not count) is an edge from the first package segment to the other's (http/tail counts as http).
 *
 * <p>Leaves, which anyone may use: {@code domain}, {@code config}, {@code bus}, {@code auth},
 * {@code cron}, {@code metrics}, {@code params} (a script's parameter rules, which every trigger
 * applies), {@code cluster} (the Hazelcast settings, this node's identity and the cluster view,
 * which later placement and routing of runs build on). Every other package is a feature (http, process, persistence,
 * schedule, scripts, js, and any new one): features talk over the bus and use only leaves. The
 * composition root ({@code dev.scriptd} itself) may use everything.
 */
@DisplayName("Package rules: leaves stay leaves and features only use leaves")
class PackageRulesTest {
  private static final Path SOURCES = Path.of("src", "main", "java", "dev", "scriptd");
  private static final String ROOT = "(root)";
  private static final Set<String> LEAVES = Set.of("domain", "config", "bus", "auth", "cron", "metrics", "params",
      "cluster");
  /** What each leaf may use: domain nothing; cron is pure cron maths (JDK, domain). */
  private static final Map<String, Set<String>> LEAF_USES = Map.of(
      "domain", Set.of(),
      "cron", Set.of("domain"),
      "config", Set.of("domain"),
      "metrics", Set.of("domain", "config"),
      "bus", Set.of("domain", "config"),
      "auth", Set.of("domain", "config"),
      "params", Set.of("domain"),
      // membership and node identity: settings, addresses and times only, never a feature or metrics
      "cluster", Set.of("domain", "config", "bus"));
  private static final Pattern VERTX = Pattern.compile("\\bio\\.vertx\\.[A-Za-z0-9_.]+");
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.scriptd\\.([a-z][a-z0-9_]*)\\b");

  @Test
  @DisplayName("HTTP uses no storage, no run owner and no cron scheduler: not persistence, process, schedule, scripts or js")
  void httpUsesNoFeaturePackage() {
    assertNoEdges("http", Set.of("persistence", "process", "schedule", "scripts", "js"));
  }

  @Test
  @DisplayName("scripts and schedule do not use each other (cron maths is the cron leaf)")
  void scriptsAndScheduleAreApart() {
    assertNoEdges("scripts", Set.of("schedule"));
    assertNoEdges("schedule", Set.of("scripts"));
  }

  @Test
  @DisplayName("bus and auth do not use each other")
  void busAndAuthAreApart() {
    assertNoEdges("bus", Set.of("auth"));
    assertNoEdges("auth", Set.of("bus"));
  }

  @Test
  @DisplayName("each leaf uses only the leaves below it, never a feature or the composition root")
  void leavesStayLeaves() {
    List<String> broken = new ArrayList<>();
    edges().forEach((from, targets) -> {
      if (LEAVES.contains(from)) {
        for (Map.Entry<String, Set<String>> target : targets.entrySet()) {
          if (!LEAF_USES.get(from).contains(target.getKey())) {
            broken.add(from + " -> " + target.getKey() + " in " + target.getValue());
          }
        }
      }
    });
    assertEquals(List.of(), broken, "leaf packages must use only " + LEAF_USES);
  }

  @Test
  @DisplayName("a feature package uses leaves only; features talk over the bus, not through each other's classes")
  void featuresUseOnlyLeaves() {
    List<String> broken = new ArrayList<>();
    edges().forEach((from, targets) -> {
      if (!LEAVES.contains(from) && !from.equals(ROOT)) {
        for (Map.Entry<String, Set<String>> target : targets.entrySet()) {
          if (!LEAVES.contains(target.getKey())) {
            broken.add(from + " -> " + target.getKey() + " in " + target.getValue());
          }
        }
      }
    });
    assertEquals(List.of(), broken, "features may use only " + new TreeSet<>(LEAVES));
  }

  @Test
  @DisplayName("domain and cron are pure: of Vert.x they use its JSON values only, no Vertx, bus or futures")
  void domainAndCronArePure() {
    List<String> broken = new ArrayList<>();
    for (String leaf : List.of("domain", "cron")) {
      try (Stream<Path> files = Files.walk(SOURCES.resolve(leaf))) {
        files.filter(file -> file.toString().endsWith(".java")).forEach(file -> {
          Matcher matcher = VERTX.matcher(code(read(file)));
          while (matcher.find()) {
            if (!matcher.group().startsWith("io.vertx.core.json.")) {
              broken.add(SOURCES.relativize(file) + " uses " + matcher.group());
            }
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertEquals(List.of(), broken);
  }

  @Test
  @DisplayName("the scan sees the sources: the known edges are found, comments and strings are not references")
  void theScanSeesTheSources() {
    Map<String, Map<String, Set<String>>> edges = edges();
    assertTrue(edges.getOrDefault("http", Map.of()).containsKey("bus"), "http -> bus: " + edges.get("http"));
    assertTrue(edges.getOrDefault(ROOT, Map.of()).containsKey("http"), "root -> http: " + edges.get(ROOT));
    assertTrue(edges.getOrDefault("schedule", Map.of()).containsKey("cron"), "schedule -> cron: " + edges.get("schedule"));
    String source = """
        package dev.scriptd.http;
        // import dev.scriptd.process.Commented;
        /* dev.scriptd.persistence.Block */
        /** {@link dev.scriptd.js.Javadoc} */
        class Sample {
          String text = "dev.scriptd.schedule.InAString";
          char quote = '"';
          dev.scriptd.scripts.Qualified field;
        }
        """;
    assertEquals(Set.of("scripts"), references(source));
  }

  private static void assertNoEdges(String from, Set<String> forbidden) {
    List<String> broken = new ArrayList<>();
    edges().getOrDefault(from, Map.of()).forEach((to, files) -> {
      if (forbidden.contains(to)) {
        broken.add(from + " -> " + to + " in " + files);
      }
    });
    assertEquals(List.of(), broken, from + " must not use " + new TreeSet<>(forbidden));
  }

  /** from package -> (to package -> files that make the reference). */
  private static Map<String, Map<String, Set<String>>> edges() {
    assertTrue(Files.isDirectory(SOURCES), "run from the project directory: no " + SOURCES.toAbsolutePath());
    Map<String, Map<String, Set<String>>> edges = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      files.filter(file -> file.toString().endsWith(".java")).forEach(file -> {
        Path relative = SOURCES.relativize(file);
        String from = relative.getNameCount() == 1 ? ROOT : relative.getName(0).toString();
        for (String to : references(read(file))) {
          if (!to.equals(from)) {
            edges.computeIfAbsent(from, key -> new TreeMap<>())
                .computeIfAbsent(to, key -> new TreeSet<>()).add(relative.toString());
          }
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return edges;
  }

  /** The scriptd packages {@code source} refers to, outside its package line, comments and literals. */
  static Set<String> references(String source) {
    Set<String> packages = new TreeSet<>();
    for (String line : code(source).split("\n")) {
      if (line.strip().startsWith("package ")) {
        continue;
      }
      Matcher matcher = REFERENCE.matcher(line);
      while (matcher.find()) {
        packages.add(matcher.group(1));
      }
    }
    return packages;
  }

  /** The source with comments, string, text-block and char literals blanked (line breaks kept). */
  private static String code(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (source.startsWith("//", i)) {
        while (i < n && source.charAt(i) != '\n') {
          i++;
        }
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        i = skip(source, i, end < 0 ? n : end + 2, out);
      } else if (source.startsWith("\"\"\"", i)) {
        int end = source.indexOf("\"\"\"", i + 3);
        i = skip(source, i, end < 0 ? n : end + 3, out);
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && source.charAt(j) != c && source.charAt(j) != '\n') {
          j += source.charAt(j) == '\\' ? 2 : 1;
        }
        i = skip(source, i, Math.min(n, j + 1), out);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Blanks source[from, to) but keeps its line breaks; returns {@code to}. */
  private static int skip(String source, int from, int to, StringBuilder out) {
    for (int k = from; k < to; k++) {
      out.append(source.charAt(k) == '\n' ? '\n' : ' ');
    }
    return to;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
