package dev.scriptd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The three places a setting lives must agree: the code's built-in default (the records of this
 * package), conf/scriptd.json (every key with that default) and the table of
 * src/docs/configuration.md (a row per key). The readers are found by reflection (every public
 * static method of this package taking the config JsonObject), so a new settings record is checked
 * without touching this test.
 */
@DisplayName("conf/scriptd.json, src/docs/configuration.md and the code's defaults")
class ConfigurationDocsTest {
  private static final Path CONF = Path.of("conf", "scriptd.json");
  private static final Path DOC = Path.of("src", "docs", "configuration.md");
  /** A table row: its first cell (the keys, each in backticks) and its third (the default). */
  private static final Pattern ROW = Pattern.compile("^\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|.*\\|\\s*$");
  private static final Pattern CODE = Pattern.compile("`([^`]*)`");

  @Test
  @DisplayName("every key of conf/scriptd.json has a row in configuration.md, and every row names a key of the file")
  void everyKeyOfTheFileHasARowAndEveryRowAKey() throws IOException {
    TreeSet<String> fileKeys = new TreeSet<>(leaves(conf()).keySet());
    TreeSet<String> docKeys = new TreeSet<>(documentedDefaults().keySet());
    TreeSet<String> undocumented = new TreeSet<>(fileKeys);
    undocumented.removeAll(docKeys);
    TreeSet<String> notInFile = new TreeSet<>(docKeys);
    notInFile.removeAll(fileKeys);
    assertTrue(undocumented.isEmpty(), "keys of " + CONF + " without a row in " + DOC + ": " + undocumented);
    assertTrue(notInFile.isEmpty(), "rows of " + DOC + " whose key is not in " + CONF + ": " + notInFile);
    assertTrue(fileKeys.size() > 50, "the file lists every setting, got only " + fileKeys.size());
  }

  @Test
  @DisplayName("conf/scriptd.json holds exactly the code's built-in defaults: every settings record reads it as it reads an empty config")
  void theFileHoldsTheBuiltInDefaults() throws Exception {
    JsonObject conf = conf();
    List<Method> readers = readers();
    List<String> names = readers.stream().map(m -> m.getDeclaringClass().getSimpleName() + "." + m.getName()).toList();
    assertTrue(names.containsAll(List.of("ScriptdConfig.fromJson", "SecurityConfig.fromJson", "JsConfig.fromJson",
        "ScriptdConfig.scheduler", "ScriptdConfig.runWrites")), "settings readers found: " + names);
    for (Method reader : readers) {
      Object fromFile = reader.invoke(null, conf.copy());
      Object builtIn = reader.invoke(null, new JsonObject());
      assertEquals(comparable(builtIn), comparable(fromFile), reader.getDeclaringClass().getSimpleName() + "."
          + reader.getName() + " reads " + CONF + " differently from its built-in defaults");
    }
  }

  @Test
  @DisplayName("every key of conf/scriptd.json is read by the code: a wrong type under its name is refused, naming it")
  void everyKeyOfTheFileIsRead() throws Exception {
    JsonObject conf = conf();
    List<Method> readers = readers();
    List<String> unread = new ArrayList<>();
    for (String key : leaves(conf).keySet()) {
      JsonObject broken = conf.copy();
      String[] parts = key.split("\\.");
      JsonObject section = broken;
      for (int i = 0; i < parts.length - 1; i++) {
        section = section.getJsonObject(parts[i]);
      }
      section.put(parts[parts.length - 1], new JsonObject().put("not", "a setting"));
      boolean refused = false;
      for (Method reader : readers) {
        try {
          reader.invoke(null, broken);
        } catch (InvocationTargetException e) {
          if (e.getCause() instanceof ConfigException refusal && refusal.getMessage().contains(key)) {
            refused = true;
            break;
          }
          throw new AssertionError(reader.getName() + " failed on a wrong " + key + " without a ConfigException"
              + " naming it", e.getCause());
        }
      }
      if (!refused) {
        unread.add(key);
      }
    }
    assertTrue(unread.isEmpty(), "keys of " + CONF + " no settings reader of dev.scriptd.config reads"
        + " (a typo, or a setting read outside the config records): " + unread);
  }

  @Test
  @DisplayName("the default column of configuration.md shows the value conf/scriptd.json holds")
  void theDocumentedDefaultsAreTheFilesValues() throws IOException {
    Map<String, Object> values = leaves(conf());
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, String> row : documentedDefaults().entrySet()) {
      Object value = values.get(row.getKey());
      if (row.getValue() == null || value == null) {
        continue; // described in words ("number of cores", "none"), or not set in the file
      }
      String expected = value instanceof JsonArray array ? array.encode() : value.toString();
      if (!expected.equals(row.getValue())) {
        wrong.add(row.getKey() + ": documented `" + row.getValue() + "`, the file has " + expected);
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  /** The file, refused when a section or key appears twice (a JSON parser would keep only the last). */
  private static JsonObject conf() throws IOException {
    String text = Files.readString(CONF);
    JsonFactory strict = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    try (JsonParser parser = strict.createParser(text)) {
      while (parser.nextToken() != null) {
        // reading every token is the check
      }
    } catch (JsonParseException duplicate) {
      fail(CONF + ": " + duplicate.getOriginalMessage());
    }
    return new JsonObject(text);
  }

  /** Dotted key of every value that is not itself a section, in file order. */
  private static Map<String, Object> leaves(JsonObject json) {
    Map<String, Object> out = new LinkedHashMap<>();
    collect("", json, out);
    return out;
  }

  private static void collect(String prefix, JsonObject json, Map<String, Object> out) {
    for (String name : json.fieldNames()) {
      Object value = json.getValue(name);
      if (value instanceof JsonObject section) {
        collect(prefix + name + ".", section, out);
      } else {
        out.put(prefix + name, value);
      }
    }
  }

  /**
   * Key to documented default (the backticked value of the default cell, null when the cell has
   * words instead) for every row of the table whose first cell names keys. A cell may name several
   * keys ({@code `rate_limit`, `rate_burst`}) with as many defaults.
   */
  private static Map<String, String> documentedDefaults() throws IOException {
    Map<String, String> rows = new LinkedHashMap<>();
    for (String line : Files.readAllLines(DOC)) {
      Matcher row = ROW.matcher(line);
      if (!row.matches() || !row.group(1).trim().startsWith("`")) {
        continue;
      }
      List<String> keys = codes(row.group(1));
      List<String> defaults = codes(row.group(3));
      boolean plain = defaults.size() == keys.size() && row.group(3).trim().startsWith("`");
      for (int i = 0; i < keys.size(); i++) {
        if (rows.containsKey(keys.get(i))) {
          fail(DOC + " has two rows for " + keys.get(i));
        }
        rows.put(keys.get(i), plain ? defaults.get(i) : null);
      }
    }
    return rows;
  }

  private static List<String> codes(String cell) {
    List<String> out = new ArrayList<>();
    Matcher code = CODE.matcher(cell);
    while (code.find()) {
      out.add(code.group(1));
    }
    return out;
  }

  /** Every public static method of this package that turns the config JsonObject into settings. */
  private static List<Method> readers() throws IOException, URISyntaxException {
    Path dir = Path.of(ScriptdConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve(ScriptdConfig.class.getPackageName().replace('.', '/'));
    List<Method> readers = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
        String name = file.getFileName().toString();
        Class<?> type;
        try {
          type = Class.forName(ScriptdConfig.class.getPackageName() + "." + name.substring(0, name.length() - 6));
        } catch (ClassNotFoundException e) {
          throw new AssertionError(e);
        }
        for (Method method : type.getDeclaredMethods()) {
          if (Modifier.isStatic(method.getModifiers()) && Modifier.isPublic(method.getModifiers())
              && method.getParameterCount() == 1 && method.getParameterTypes()[0] == JsonObject.class
              && method.getReturnType() != void.class) {
            readers.add(method);
          }
        }
      }
    }
    return readers;
  }

  /** Records print every field; a regex Pattern (no equals) prints its source, so text compares them. */
  private static String comparable(Object settings) {
    return String.valueOf(settings);
  }
}
