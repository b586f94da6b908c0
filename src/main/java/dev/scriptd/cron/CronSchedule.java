package dev.scriptd.cron;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One cron expression in one time zone: its fire instants, with scriptd's daylight-saving rule.
 * {@link CronExpression} matches the expression on the zone's local time line (it never sees a
 * transition); this class maps each matching local time to an instant:
 * <ul>
 *   <li>a local time that does not exist (spring-forward gap) fires at the first instant after the
 *   gap, once, however many matching local times fell into the gap;</li>
 *   <li>a local time that occurs twice (fall-back overlap) fires at its first occurrence only.</li>
 * </ul>
 * The mapping never decreases, so "the next fire after t" and "the last fire before t" are well
 * defined. Pure and immutable: no clock, no Vert.x.
 */
public final class CronSchedule {
  /** Matching local times tried per call before giving up (DST jumps are handled without looping). */
  private static final int MAX_STEPS = 16;

  private final String cron;
  private final ZoneId zone;
  private final ZoneRules rules;
  private final CronExpression times;

  private CronSchedule(String cron, ZoneId zone) {
    this.cron = cron;
    this.zone = zone;
    this.rules = zone.getRules();
    this.times = Crons.parse(cron);
  }

  /**
   * Parses {@code cron} (5 fields, or 6 with seconds first) in {@code timezone} (IANA id, null
   * means UTC); throws IllegalArgumentException saying what is wrong.
   */
  public static CronSchedule of(String cron, String timezone) {
    ZoneId zone;
    try {
      zone = ZoneId.of(timezone == null ? "UTC" : timezone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("'" + timezone + "' is not a time zone; use an IANA name such as "
          + "Europe/Paris or UTC");
    }
    return of(cron, zone);
  }

  /** Parses {@code cron} in {@code zone}; throws IllegalArgumentException saying what is wrong. */
  public static CronSchedule of(String cron, ZoneId zone) {
    try {
      return new CronSchedule(cron, zone);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + cron + "' is not a valid cron expression: " + e.getMessage(), e);
    }
  }

  public String cron() {
    return cron;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The first fire instant strictly after {@code after}; empty when the expression never matches again. */
  public Optional<Instant> next(Instant after) {
    LocalDateTime cursor = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS);
    ZoneOffsetTransition overlap = rules.getTransition(cursor);
    if (overlap != null && overlap.isOverlap() && rules.getOffset(after).equals(overlap.getOffsetAfter())) {
      // after is in the second pass of a repeated hour: every local time up to its end already fired
      cursor = overlap.getDateTimeBefore().minusSeconds(1);
    }
    for (int i = 0; i < MAX_STEPS; i++) {
      Optional<LocalDateTime> match = times.next(cursor);
      if (match.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime local = match.get();
      Instant instant = instant(local);
      if (instant.isAfter(after)) {
        return Optional.of(instant);
      }
      cursor = local;
    }
    return Optional.empty();
  }

  /** The last fire instant strictly before {@code before}; empty when there is none. */
  public Optional<Instant> previous(Instant before) {
    LocalDateTime exact = LocalDateTime.ofInstant(before, zone);
    LocalDateTime cursor = exact.truncatedTo(ChronoUnit.SECONDS);
    if (!cursor.equals(exact)) {
      cursor = cursor.plusSeconds(1); // the whole second before `before` still counts
    }
    ZoneOffsetTransition overlap = rules.getTransition(exact);
    if (overlap != null && overlap.isOverlap() && rules.getOffset(before).equals(overlap.getOffsetAfter())) {
      // second pass of a repeated hour: the local times of the whole hour fired in its first pass
      cursor = overlap.getDateTimeBefore();
    }
    for (int i = 0; i < MAX_STEPS; i++) {
      Optional<LocalDateTime> match = times.previous(cursor);
      if (match.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime local = match.get();
      Instant instant = instant(local);
      if (instant.isBefore(before)) {
        return Optional.of(instant);
      }
      ZoneOffsetTransition gap = rules.getTransition(local);
      // a local time in a gap maps to the gap's end: skip the rest of the gap at once
      cursor = gap != null && gap.isGap() ? gap.getDateTimeBefore() : local;
    }
    return Optional.empty();
  }

  /** The next {@code count} fire instants strictly after {@code after} (fewer if the expression runs out). */
  public List<Instant> next(Instant after, int count) {
    List<Instant> result = new ArrayList<>(count);
    Instant cursor = after;
    for (int i = 0; i < count; i++) {
      Optional<Instant> next = next(cursor);
      if (next.isEmpty()) {
        break;
      }
      cursor = next.get();
      result.add(cursor);
    }
    return result;
  }

  /** A matching local time as an instant: gap -> the end of the gap, overlap -> the first occurrence. */
  Instant instant(LocalDateTime local) {
    ZoneOffsetTransition transition = rules.getTransition(local);
    if (transition != null && transition.isGap()) {
      return transition.getInstant();
    }
    return ZonedDateTime.ofLocal(local, zone, null).toInstant(); // earlier offset in an overlap
  }
}
