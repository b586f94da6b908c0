package dev.scriptd.http;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What an endpoint's program sees of the request that called it: never the caller's credentials.
 * The {@code Authorization}, {@code Proxy-Authorization} and {@code Cookie} headers and the
 * {@code token} query parameter are dropped, plus the names of {@code endpoints.drop_headers} and
 * {@code endpoints.drop_query}. Names compare by the variable they map to (upper case, anything
 * outside {@code [A-Z0-9_]} turned into {@code _}), so case and spelling variants of a dropped name
 * are dropped too. A shell program gets {@code SCRIPTD_QUERY_<NAME>} and {@code SCRIPTD_HEADER_<NAME>};
 * when two names map to the same variable ({@code X-A.B} and {@code X_A_B}) the first in request
 * order keeps it and the later one is left out. A JavaScript program gets {@code query} and
 * {@code headers} objects (header names in lower case). Repeated values are joined with ", ".
 */
final class EndpointRequestView {
  static final List<String> CREDENTIAL_HEADERS = List.of("Authorization", "Proxy-Authorization", "Cookie");
  static final List<String> CREDENTIAL_QUERY = List.of("token");
  static final String QUERY_PREFIX = "SCRIPTD_QUERY_";
  static final String HEADER_PREFIX = "SCRIPTD_HEADER_";
  /** Variables of one request at most (the two SCRIPTD_REQUEST_* included), and the longest name part. */
  static final int MAX_VARIABLES = 200;
  static final int MAX_NAME = 100;

  private final Set<String> droppedHeaders = new HashSet<>();
  private final Set<String> droppedQuery = new HashSet<>();

  /** {@code dropHeaders} and {@code dropQuery}: dropped on top of the credentials. */
  EndpointRequestView(List<String> dropHeaders, List<String> dropQuery) {
    CREDENTIAL_HEADERS.forEach(name -> droppedHeaders.add(variablePart(name)));
    dropHeaders.forEach(name -> droppedHeaders.add(variablePart(name)));
    CREDENTIAL_QUERY.forEach(name -> droppedQuery.add(variablePart(name)));
    dropQuery.forEach(name -> droppedQuery.add(variablePart(name)));
  }

  /** NAME upper-cased, anything outside [A-Z0-9_] turned into '_', at most {@link #MAX_NAME} characters. */
  static String variablePart(String name) {
    String upper = name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
    return upper.length() > MAX_NAME ? upper.substring(0, MAX_NAME) : upper;
  }

  boolean dropsHeader(String name) {
    return droppedHeaders.contains(variablePart(name));
  }

  boolean dropsQuery(String name) {
    return droppedQuery.contains(variablePart(name));
  }

  /** Adds {@code SCRIPTD_QUERY_*} then {@code SCRIPTD_HEADER_*} to {@code env}, first name wins. */
  void putVariables(JsonObject env, MultiMap query, MultiMap headers) {
    putVariables(env, QUERY_PREFIX, query, droppedQuery);
    putVariables(env, HEADER_PREFIX, headers, droppedHeaders);
  }

  private static void putVariables(JsonObject env, String prefix, MultiMap values, Set<String> dropped) {
    for (Map.Entry<String, List<String>> entry : inOrder(values).entrySet()) {
      String part = variablePart(entry.getKey());
      if (part.isEmpty() || dropped.contains(part) || env.containsKey(prefix + part)) {
        continue; // a credential, or a later name for a variable an earlier one has
      }
      if (env.size() >= MAX_VARIABLES) {
        return;
      }
      env.put(prefix + part, String.join(", ", entry.getValue()));
    }
  }

  /** The {@code headers} object of a JavaScript endpoint's request: lower-case names. */
  JsonObject headers(MultiMap headers) {
    return values(headers, droppedHeaders, true);
  }

  /** The {@code query} object of a JavaScript endpoint's request. */
  JsonObject query(MultiMap query) {
    return values(query, droppedQuery, false);
  }

  private static JsonObject values(MultiMap map, Set<String> dropped, boolean lowerCase) {
    JsonObject values = new JsonObject();
    for (Map.Entry<String, List<String>> entry : inOrder(map).entrySet()) {
      if (!dropped.contains(variablePart(entry.getKey()))) {
        values.put(lowerCase ? entry.getKey().toLowerCase(Locale.ROOT) : entry.getKey(), String.join(", ",
            entry.getValue()));
      }
    }
    return values;
  }

  /**
   * Names (case-insensitively grouped, spelled as first seen) with their values, in the order each
   * name first appears: MultiMap.names() of a request is sorted, not in request order.
   */
  private static Map<String, List<String>> inOrder(MultiMap map) {
    Map<String, String> spelling = new LinkedHashMap<>();
    Map<String, List<String>> grouped = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : map) {
      String key = entry.getKey().toLowerCase(Locale.ROOT);
      spelling.putIfAbsent(key, entry.getKey());
      grouped.computeIfAbsent(key, k -> new ArrayList<>()).add(entry.getValue());
    }
    Map<String, List<String>> result = new LinkedHashMap<>();
    grouped.forEach((key, list) -> result.put(spelling.get(key), list));
    return result;
  }
}
