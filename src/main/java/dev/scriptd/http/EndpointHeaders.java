package dev.scriptd.http;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The headers a JS endpoint's program may send. Endpoints share the UI's origin, so headers that
 * could act on the visitor's browser or on the connection are dropped: cookies (a hook must not set
 * or replace the session), hop-by-hop and framing headers (the server owns the connection and the
 * body's length), and the security headers the server sets itself. A name that is not an HTTP token
 * or a value with CR, LF or another control character is refused as a whole (502), before anything
 * is written: sent on, it would split or corrupt the response.
 */
final class EndpointHeaders {
  private static final Set<String> DROPPED = Set.of(
      "set-cookie", "set-cookie2",
      "connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer", "content-length",
      "x-content-type-options", "x-frame-options", "strict-transport-security", "referrer-policy",
      "cross-origin-opener-policy", "cross-origin-embedder-policy", "cross-origin-resource-policy",
      "permissions-policy", "x-xss-protection", "clear-site-data",
      "access-control-allow-origin", "access-control-allow-credentials");
  private static final String TOKEN_CHARS = "!#$%&'*+-.^_`|~";

  /** The headers to send, in the program's order, and the names dropped (lower case). */
  record Filtered(Map<String, String> kept, List<String> dropped) {
  }

  private EndpointHeaders() {
  }

  /** Throws a 502 {@link ApiException} naming the first invalid header. */
  static Filtered filter(JsonObject headers) {
    Map<String, String> kept = new LinkedHashMap<>();
    List<String> dropped = new ArrayList<>();
    if (headers == null) {
      return new Filtered(kept, dropped);
    }
    for (Map.Entry<String, Object> header : headers) {
      String name = header.getKey();
      if (!isToken(name)) {
        throw invalid("the endpoint's program returned a header name that is not valid in HTTP ("
            + printable(name) + "); names are letters, digits and !#$%&'*+-.^_`|~");
      }
      if (header.getValue() == null) {
        continue;
      }
      String value = String.valueOf(header.getValue());
      int bad = badCharacter(value);
      if (bad >= 0) {
        throw invalid("the endpoint's program returned header " + name + " with a control character (" + String.format(
            "U+%04X", (int) value.charAt(bad)) + ") in its value; CR and LF would split the response");
      }
      if (isDropped(name.toLowerCase(Locale.ROOT))) {
        dropped.add(name.toLowerCase(Locale.ROOT));
      } else {
        kept.put(name, value);
      }
    }
    return new Filtered(kept, dropped);
  }

  static boolean isDropped(String lowerName) {
    return DROPPED.contains(lowerName) || lowerName.startsWith("proxy-")
        || lowerName.startsWith("content-security-policy");
  }

  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || TOKEN_CHARS.indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Index of the first character a header value must not hold (controls but tab), or -1. */
  private static int badCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        return i;
      }
    }
    return -1;
  }

  private static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && i < 80; i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.length() < text.length() ? out + "..." : out.toString();
  }

  private static ApiException invalid(String detail) {
    return new ApiException(502, "endpoint-failed", detail);
  }
}
