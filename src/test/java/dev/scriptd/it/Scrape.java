package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Prometheus text scrape, parsed into samples keyed by {@code name{label="value",...}} with the
 * labels sorted by name, so a test can look a series up without caring about label order.
 */
final class Scrape {
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  final String text;
  final Map<String, Double> samples = new TreeMap<>();

  private Scrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name;
      String rest;
      Map<String, String> labels = new TreeMap<>();
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        int close = line.lastIndexOf('}');
        Matcher matcher = LABEL.matcher(line.substring(brace + 1, close));
        while (matcher.find()) {
          labels.put(matcher.group(1), matcher.group(2));
        }
        rest = line.substring(close + 1).trim();
      } else {
        name = line.substring(0, space);
        rest = line.substring(space + 1).trim();
      }
      samples.put(key(name, labels), Double.parseDouble(rest.split(" ")[0]));
    }
  }

  static Scrape of(Api api) {
    HttpResponse<String> response = api.get("/metrics");
    assertEquals(200, response.statusCode(), response.body());
    return new Scrape(response.body());
  }

  /** The sample's value, or null when the series is absent. {@code labels} alternate name, value. */
  Double value(String name, String... labels) {
    Map<String, String> sorted = new TreeMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      sorted.put(labels[i], labels[i + 1]);
    }
    return samples.get(key(name, sorted));
  }

  /** True when some sample has this name (with any labels). */
  boolean has(String name) {
    return samples.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
  }

  private static String key(String name, Map<String, String> labels) {
    if (labels.isEmpty()) {
      return name;
    }
    StringBuilder key = new StringBuilder(name).append('{');
    labels.forEach((label, value) -> key.append(label).append("=\"").append(value).append("\","));
    key.setLength(key.length() - 1);
    return key.append('}').toString();
  }
}
