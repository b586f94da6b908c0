package dev.scriptd.auth;

/**
 * Where to land after signing in ({@code /auth/login?return_to=}): a path on this server only. An
 * absolute URL, a scheme-relative {@code //host} or a backslash trick ({@code /\host}, which browsers
 * read as {@code //host}) would make the sign-in an open redirect, so anything but a plain
 * same-origin path becomes {@code /}.
 */
public final class ReturnPath {
  private ReturnPath() {
  }

  public static String safe(String requested) {
    if (requested == null || requested.isEmpty() || requested.length() > 1024 || requested.charAt(0) != '/') {
      return "/";
    }
    if (requested.length() > 1 && (requested.charAt(1) == '/' || requested.charAt(1) == '\\')) {
      return "/";
    }
    for (int i = 0; i < requested.length(); i++) {
      char c = requested.charAt(i);
      if (c < 0x21 || c > 0x7e || c == '\\') {
        return "/";
      }
    }
    return requested;
  }
}
