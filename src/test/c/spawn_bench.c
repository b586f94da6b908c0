/*
 * The spawn baseline of ControlPlaneBenchmark: posix_spawn of `bash -c true`, keeping IN_FLIGHT
 * children alive at once for SECONDS, then waiting for the rest. Every child must exit 0.
 * Prints "<children> <elapsed seconds>" (from the first spawn to the last exit).
 * Build: gcc -O2 -o target/spawn_bench src/test/c/spawn_bench.c
 * Usage: spawn_bench SECONDS IN_FLIGHT
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s SECONDS IN_FLIGHT\n", argv[0]);
    return 2;
  }
  double seconds = atof(argv[1]);
  int in_flight = atoi(argv[2]);
  char *child_argv[] = {"bash", "-c", "true", NULL};
  long spawned = 0, reaped = 0, failed = 0;
  int running = 0;
  double start = now();
  double end = start + seconds;
  for (;;) {
    while (running < in_flight && now() < end) {
      pid_t pid;
      int rc = posix_spawnp(&pid, "bash", NULL, NULL, child_argv, environ);
      if (rc != 0) {
        fprintf(stderr, "posix_spawnp: %s\n", strerror(rc));
        return 1;
      }
      spawned++;
      running++;
    }
    if (running == 0) {
      break;
    }
    int status;
    pid_t done = wait(&status);
    if (done < 0) {
      if (errno == EINTR) {
        continue;
      }
      perror("wait");
      return 1;
    }
    running--;
    reaped++;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      failed++;
    }
  }
  double elapsed = now() - start;
  if (failed > 0) {
    fprintf(stderr, "%ld of %ld children did not exit 0\n", failed, reaped);
    return 1;
  }
  printf("%ld %.6f\n", reaped, elapsed);
  return 0;
}
