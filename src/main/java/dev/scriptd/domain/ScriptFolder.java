package dev.scriptd.domain;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a folder of script definition files (blocking; call it off the event loop): every
 * {@code *.json}, {@code *.yaml} and {@code *.yml} file directly in it, in name order, hidden files
 * aside. A file holds one definition, a list of them, or an export ({@code {"scripts": [...]}}). The
 * first file that cannot be read makes the whole folder unreadable, so nothing is applied from a
 * half-edited folder. The server's scripts.dir and the command line's {@code apply -f} read the
 * same way.
 */
public final class ScriptFolder {
  public static final long MAX_FILE_BYTES = 4L << 20;
  public static final int MAX_FILES = 10_000;
  private static final Pattern INDEX = Pattern.compile("scripts\\[(\\d+)][. ]?");

  private ScriptFolder() {
  }

  /**
   * The definitions of the folder, each with the file it came from; or the file that cannot be
   * read and why ({@code definitions} then empty).
   */
  public record Read(JsonArray definitions, List<String> origins, int files, String badFile, String error) {
    public boolean ok() {
      return error == null;
    }

    static Read failed(String file, String error) {
      return new Read(new JsonArray(), List.of(), 0, file, error);
    }

    /**
     * An apply's error message with each {@code scripts[i].} replaced by where that definition is
     * ({@code "file.yaml: "}, or {@code "file.yaml[k]: "} for the k-th of a file's list).
     */
    public String locate(String message) {
      Matcher matcher = INDEX.matcher(message);
      StringBuilder out = new StringBuilder();
      while (matcher.find()) {
        int index = Integer.parseInt(matcher.group(1));
        matcher.appendReplacement(out, Matcher.quoteReplacement(index < origins.size() ? origins.get(index) + ": "
            : matcher.group()));
      }
      matcher.appendTail(out);
      return out.toString();
    }

    /** The file of the first {@code scripts[i]} the message names (null when none). */
    public String firstFile(String message) {
      Matcher matcher = INDEX.matcher(message);
      if (matcher.find()) {
        int index = Integer.parseInt(matcher.group(1));
        if (index < origins.size()) {
          String origin = origins.get(index);
          int bracket = origin.indexOf('[');
          return bracket < 0 ? origin : origin.substring(0, bracket);
        }
      }
      return null;
    }
  }

  public static boolean isDefinitionFile(Path file) {
    String name = file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    return !name.startsWith(".") && (lower.endsWith(".json") || lower.endsWith(".yaml") || lower.endsWith(".yml"));
  }

  public static Read read(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Read.failed(null, "the folder " + dir.toAbsolutePath() + " does not exist or is not a directory");
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (isDefinitionFile(entry) && Files.isRegularFile(entry)) {
          files.add(entry);
          if (files.size() > MAX_FILES) {
            return Read.failed(null, "more than " + MAX_FILES + " definition files in " + dir.toAbsolutePath());
          }
        }
      }
    } catch (IOException e) {
      return Read.failed(null, "cannot list " + dir.toAbsolutePath() + ": " + e.getMessage());
    }
    files.sort(null);
    return readFiles(files);
  }

  /**
   * One definition file, read as a folder's file is (JSON by a {@code .json} name, else YAML), whatever
   * its name.
   */
  public static Read readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      return Read.failed(null, "the file " + file.toAbsolutePath() + " does not exist or is not a regular file");
    }
    return readFiles(List.of(file));
  }

  private static Read readFiles(List<Path> files) {
    JsonArray definitions = new JsonArray();
    List<String> origins = new ArrayList<>();
    for (Path file : files) {
      String name = file.getFileName().toString();
      Object content;
      try {
        content = parse(file);
      } catch (IllegalArgumentException e) {
        return Read.failed(name, e.getMessage());
      } catch (IOException e) {
        return Read.failed(name, "cannot read it: " + e.getMessage());
      }
      if (content instanceof JsonObject object && object.getValue("scripts") instanceof JsonArray list) {
        add(list, name, definitions, origins);
      } else if (content instanceof JsonObject object) {
        definitions.add(object);
        origins.add(name);
      } else if (content instanceof JsonArray list) {
        add(list, name, definitions, origins);
      } else if (content != null) {
        return Read.failed(name, "holds neither a script definition, a list of them, nor {\"scripts\": [...]}");
      }
    }
    return new Read(definitions, List.copyOf(origins), files.size(), null, null);
  }

  private static void add(JsonArray list, String name, JsonArray definitions, List<String> origins) {
    for (int i = 0; i < list.size(); i++) {
      definitions.add(list.getValue(i));
      origins.add(name + "[" + i + "]");
    }
  }

  /** JSON files as JSON (its error messages), YAML files as YAML; null for an empty file. */
  private static Object parse(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new IllegalArgumentException("is " + size + " bytes; a definition file may have at most " + MAX_FILE_BYTES);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("is not UTF-8 text");
    }
    if (text.isBlank()) {
      return null;
    }
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
      try {
        return Json.decodeValue(text);
      } catch (DecodeException e) {
        throw new IllegalArgumentException("is not valid JSON: " + e.getMessage().replaceAll("\\s+", " "));
      }
    }
    return YamlText.parse(text);
  }
}
