package dev.scriptd.domain;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * YAML text to and from the JSON values scriptd works with ({@link JsonObject}, {@link JsonArray},
 * strings, numbers, booleans, null), for script definitions kept as files. Only Jackson's streaming
 * YAML reader and writer are used: the text is read token by token into JSON values, so no class is
 * ever instantiated from a YAML tag. One document per text; duplicate keys are an error.
 */
public final class YamlText {
  private static final int MAX_DEPTH = 64;
  private static final YAMLFactory FACTORY = YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      // else a string such as "8080" would be written bare and read back as a number
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .build();

  private YamlText() {
  }

  /**
   * The value of a YAML document (null for an empty one).
   *
   * @throws IllegalArgumentException saying what is wrong and at which line and column
   */
  public static Object parse(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return null;
      }
      Object value = value(parser, first, 0);
      JsonToken next = parser.nextToken();
      if (next != null) {
        throw new IllegalArgumentException("only one YAML document is allowed" + at(parser.currentLocation())
            + "; remove the second '---' or put the definitions in one list");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid YAML: " + e.getOriginalMessage().replaceAll("\\s+", " ")
          + at(e.getLocation()));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String does no I/O
    }
  }

  private static Object value(JsonParser parser, JsonToken token, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("YAML nested deeper than " + MAX_DEPTH + " levels" + at(parser.currentLocation()));
    }
    switch (token) {
      case START_OBJECT -> {
        JsonObject object = new JsonObject();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
          String name = parser.currentName();
          object.put(name, value(parser, parser.nextToken(), depth + 1));
        }
        return object;
      }
      case START_ARRAY -> {
        JsonArray array = new JsonArray();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
          array.add(value(parser, next, depth + 1));
        }
        return array;
      }
      case VALUE_STRING -> {
        return parser.getText();
      }
      case VALUE_NUMBER_INT -> {
        return parser.getNumberValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return parser.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IllegalArgumentException("YAML value of an unsupported kind (" + token.asString()
          + ")" + at(parser.currentLocation()) + "; use strings, numbers, booleans, lists and maps");
    }
  }

  private static String at(JsonLocation location) {
    return location == null || location.getLineNr() < 1 ? ""
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /** {@code value} (a JSON value) as a YAML document; multi-line strings as literal blocks. */
  public static String write(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(generator, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to a String does no I/O
    }
    return out.toString();
  }

  private static void write(JsonGenerator generator, Object value) throws IOException {
    if (value == null) {
      generator.writeNull();
    } else if (value instanceof JsonObject object) {
      generator.writeStartObject();
      for (Map.Entry<String, Object> entry : object) {
        generator.writeFieldName(entry.getKey());
        write(generator, entry.getValue());
      }
      generator.writeEndObject();
    } else if (value instanceof JsonArray array) {
      generator.writeStartArray();
      for (Object item : array) {
        write(generator, item);
      }
      generator.writeEndArray();
    } else if (value instanceof Boolean flag) {
      generator.writeBoolean(flag);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      generator.writeNumber(((Number) value).longValue());
    } else if (value instanceof BigInteger big) {
      generator.writeNumber(big);
    } else if (value instanceof BigDecimal decimal) {
      generator.writeNumber(decimal);
    } else if (value instanceof Number number) {
      generator.writeNumber(number.doubleValue());
    } else {
      generator.writeString(value.toString());
    }
  }
}
