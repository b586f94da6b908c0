package dev.scriptd.bus;

/** Failure codes of bus replies. They are HTTP statuses so the HTTP edge can pass them on. */
public final class ReplyCodes {
  private ReplyCodes() {
  }

  public static final int BAD_REQUEST = 400;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  /**
   * A save of a run refused because the run is stored {@code lost}: another node declared this
   * one dead and ended it. Internal: the run owner acts on it, no client sees it.
   */
  public static final int GONE = 410;
  public static final int RANGE_NOT_AVAILABLE = 416;
  public static final int TOO_MANY_REQUESTS = 429;
  public static final int UNAVAILABLE = 503;
}
