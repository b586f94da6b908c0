package dev.scriptd.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the config JsonObject for the standalone server: the JSON file, then SCRIPTD_* environment
 * variables, then command-line flags, each overriding the one before. Used by Main only; embedded
 * deployments pass their own JsonObject.
 */
public final class ConfigLoader {
  /** Flags (and SCRIPTD_ variables) that set a top-level key; dashes become underscores. */
  private static final String[] TOP_LEVEL_FLAGS = {"host", "port", "data-dir", "db-file", "log-dir", "rate-limit",
      "admin-token", "public-url"};
  /** Flags (and SCRIPTD_ variables) that set a nested key: {@code --database-url} sets database.url. */
  private static final Map<String, String> NESTED_FLAGS = Map.of("database-url", "database.url");
  private static final Path DEFAULT_FILE = Path.of("conf", "scriptd.json");

  private ConfigLoader() {
  }

  public static JsonObject load(String[] args, Map<String, String> env) {
    Map<String, String> flags = parseFlags(args);
    String file = flags.containsKey("config") ? flags.remove("config") : env.get("SCRIPTD_CONFIG");
    JsonObject config = readFile(file);
    for (String flag : TOP_LEVEL_FLAGS) {
      String value = env.get("SCRIPTD_" + flag.replace('-', '_').toUpperCase(Locale.ROOT));
      if (value != null && !value.isBlank()) {
        config.put(flag.replace('-', '_'), value.trim());
      }
    }
    for (Map.Entry<String, String> nested : NESTED_FLAGS.entrySet()) {
      String value = env.get("SCRIPTD_" + nested.getKey().replace('-', '_').toUpperCase(Locale.ROOT));
      if (value != null && !value.isBlank()) {
        put(config, nested.getValue(), value.trim());
      }
    }
    for (Map.Entry<String, String> flag : flags.entrySet()) {
      String nested = NESTED_FLAGS.get(flag.getKey());
      put(config, nested != null ? nested : flag.getKey().replace('-', '_'), flag.getValue());
    }
    return config;
  }

  /** {@code --key=value}, {@code -key=value} and {@code --key value}; a dotted key sets a nested setting. */
  static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
        throw new ConfigException("unexpected argument '" + arg + "'; flags look like --port=8080");
      }
      String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
      int eq = body.indexOf('=');
      if (eq > 0) {
        flags.put(body.substring(0, eq), body.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
        flags.put(body, args[++i]);
      } else {
        flags.put(body, "true");
      }
    }
    return flags;
  }

  private static JsonObject readFile(String file) {
    Path path = file != null ? Path.of(file) : DEFAULT_FILE;
    if (!Files.exists(path)) {
      if (file != null) {
        throw new ConfigException("config file " + path.toAbsolutePath() + " does not exist");
      }
      return new JsonObject();
    }
    try {
      return new JsonObject(Files.readString(path));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path.toAbsolutePath() + ": " + e.getMessage());
    } catch (DecodeException e) {
      throw new ConfigException("config file " + path.toAbsolutePath() + " is not a JSON object: " + e.getMessage());
    }
  }

  private static void put(JsonObject config, String dottedKey, String value) {
    String[] parts = dottedKey.split("\\.");
    JsonObject target = config;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = target.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        target.put(parts[i], next);
      }
      target = next;
    }
    target.put(parts[parts.length - 1], value);
  }
}
