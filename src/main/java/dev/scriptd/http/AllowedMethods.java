package dev.scriptd.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The methods served at a path, for the {@code Allow} header every 405 must carry (RFC 9110): the
 * union of the methods of the exact-path routes ({@code /api/runs/:id}) whose template matches it.
 */
final class AllowedMethods {
  /** One route: its path template and methods. */
  record Served(String template, Set<String> methods) {
  }

  private final List<Pattern> patterns = new ArrayList<>();
  private final List<Set<String>> methods = new ArrayList<>();

  AllowedMethods(List<Served> routes) {
    for (Served route : routes) {
      List<String> parts = new ArrayList<>();
      for (String segment : route.template().split("/", -1)) {
        parts.add(segment.startsWith(":") ? "[^/]+" : Pattern.quote(segment));
      }
      patterns.add(Pattern.compile(String.join("/", parts)));
      methods.add(Set.copyOf(route.methods()));
    }
  }

  /** The exact-path routes of {@code router} that name their methods (guards and static files name none). */
  static AllowedMethods of(Router router) {
    List<Served> routes = new ArrayList<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() != null && route.isExactPath() && route.methods() != null && !route.methods().isEmpty()) {
        routes.add(new Served(route.getPath(), route.methods().stream().map(HttpMethod::name)
            .collect(Collectors.toSet())));
      }
    }
    return new AllowedMethods(routes);
  }

  /** "DELETE, GET" (sorted), or null when no route has this path. */
  String at(String path) {
    Set<String> allowed = new TreeSet<>();
    for (int i = 0; i < patterns.size(); i++) {
      if (patterns.get(i).matcher(path).matches()) {
        allowed.addAll(methods.get(i));
      }
    }
    return allowed.isEmpty() ? null : String.join(", ", allowed);
  }
}
