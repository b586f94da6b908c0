package dev.scriptd.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/** Reads /proc to see which processes belong to a process group. */
final class Processes {
  private Processes() {
  }

  static List<Integer> group(int pgid) {
    List<Integer> members = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(dir -> {
        try {
          String stat = Files.readString(dir.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          // fields[0] is state, fields[2] is pgrp; zombies are already dead
          if (Integer.parseInt(fields[2]) == pgid && !fields[0].equals("Z")) {
            members.add(Integer.parseInt(dir.getFileName().toString()));
          }
        } catch (IOException | RuntimeException gone) {
          // the process ended while we looked
        }
      });
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return members;
  }

  static void awaitGroupGone(int pgid, Duration deadline) {
    awaitGroup(pgid, members -> members.isEmpty(), deadline, "to be gone");
  }

  static void awaitGroupSize(int pgid, int atLeast, Duration deadline) {
    awaitGroup(pgid, members -> members.size() >= atLeast, deadline, "to have " + atLeast + " processes");
  }

  private static void awaitGroup(int pgid, java.util.function.Predicate<List<Integer>> until, Duration deadline,
      String what) {
    Instant end = Instant.now().plus(deadline);
    List<Integer> members = group(pgid);
    while (!until.test(members)) {
      if (Instant.now().isAfter(end)) {
        fail("expected process group " + pgid + " " + what + ", members: " + members);
      }
      LockSupport.parkNanos(20_000_000L);
      members = group(pgid);
    }
  }
}
