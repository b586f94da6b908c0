package dev.scriptd.http.tail;

/**
 * One read of a run's stored lines for a tail: the lines after the cursor (null when none), how
 * many lines storage returned, and whether the run's end was known before the read began.
 */
record StoredPage(LineBatch batch, int lineCount, boolean endKnownAtStart) {
}
