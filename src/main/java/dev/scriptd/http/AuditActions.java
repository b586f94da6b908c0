package dev.scriptd.http;

import java.util.Locale;

/**
 * Names what a request did, for the audit log: {@code resource.verb} from the method and the path
 * (below the mount point), so a route added later is named without an entry here. The rule: under
 * {@code /api/}, {@code POST /api/<things>} is {@code thing.create}; {@code PUT} or {@code PATCH
 * /api/<things>/<id>} {@code thing.update}; {@code DELETE /api/<things>/<id>} {@code thing.delete};
 * {@code POST /api/<things>/<id>/<verb>} {@code thing.verb} and {@code POST /api/<things>/<verb>}
 * (no id: cleanup, apply, backup) {@code thing.verb}; the target is the id in the path. Exceptions
 * say what happened in the contract's words: a run is started ({@code run.start}) and a token
 * revoked ({@code token.revoke}); {@code login}, {@code logout} (also single sign-on's
 * {@code /auth/callback} and {@code /auth/logout}); {@code /hooks/*} is
 * {@code hook.call} with the endpoint's path as target; a refused read is {@code access} with the
 * path as target.
 */
final class AuditActions {
  private AuditActions() {
  }

  /** What was done, and to what (null when the route names nothing, e.g. a creation: the route notes it). */
  record Named(String action, String target) {
  }

  static Named of(String method, String path) {
    String verb = method.toUpperCase(Locale.ROOT);
    if (path.equals("/hooks") || path.startsWith("/hooks/")) {
      return new Named("hook.call", path);
    }
    // single sign-on: the provider's return is the login, and its form's logout a logout
    if (path.equals(SsoRoutes.CALLBACK)) {
      return new Named("login", null);
    }
    if (path.equals(SsoRoutes.LOGOUT)) {
      return new Named("logout", null);
    }
    boolean change = verb.equals("POST") || verb.equals("PUT") || verb.equals("PATCH") || verb.equals("DELETE");
    if (!change || !path.startsWith("/api/")) {
      return new Named(path.equals("/") ? "login" : "access", path);
    }
    String[] parts = path.substring("/api/".length()).split("/", -1);
    String things = parts[0];
    String thing = things.endsWith("s") ? things.substring(0, things.length() - 1) : things;
    switch (parts.length) {
      case 1 -> {
        if (verb.equals("POST") && (things.equals("runs") || things.startsWith("execute"))) {
          return new Named("run.start", null);
        }
        if (things.equals("login") || things.equals("logout")) {
          return new Named(things, null);
        }
        return new Named(thing + "." + (verb.equals("POST") ? "create" : verb.equals("DELETE") ? "delete" : "update"),
            null);
      }
      case 2 -> {
        String id = parts[1];
        return switch (verb) {
          case "POST" -> new Named(thing + "." + id, null);
          case "DELETE" -> new Named(thing.equals("token") ? "token.revoke" : thing + ".delete", id);
          default -> new Named(thing + ".update", id);
        };
      }
      default -> {
        String id = parts[1];
        String action = parts[parts.length - 1];
        if (things.equals("scripts") && action.equals("run") && verb.equals("POST")) {
          return new Named("run.start", id); // the route notes the new run as target once started
        }
        if (verb.equals("DELETE")) {
          return new Named(thing + "." + (action.equals("pin") ? "unpin" : action + ".delete"), id);
        }
        return new Named(thing + "." + action, id);
      }
    }
  }
}
