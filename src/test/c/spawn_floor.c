/*
 * The floor of a contained run's spawn, with no server at all: how many runs/s the programs a
 * scriptd run execs could reach on this machine, beside the control-plane benchmark's baseline
 * (posix_spawn of `bash -c true`), in alternating trials, 8 in flight; prints the medians and
 * their ratios to the baseline.
 *   baseline      bash -c true
 *   process_group setsid bash -c true                       (runs.containment: process_group)
 *   cgroup        /bin/sh -c '<enter the cgroup>' scriptd-run CGROUP.procs setsid bash -c true,
 *                 with a new cgroup made before and removed after each child (runs.containment: cgroup)
 * The cgroup launcher is the one ProcessLimits builds. Without a writable cgroup2 directory the
 * cgroup row is skipped.
 * Build: gcc -O2 -o target/spawn_floor src/test/c/spawn_floor.c
 * Usage: spawn_floor SECONDS TRIALS [CGROUP2_DIR]   (e.g. /sys/fs/cgroup/unified, as root)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define IN_FLIGHT 8
#define MODES 3
static const char *MODE_NAMES[MODES] = {"baseline: bash -c true", "process_group: setsid bash",
                                        "cgroup: sh (enter cgroup) + setsid + bash"};
static const char *ENTER =
    "{ echo $$ > \"$1\"; } 2>/dev/null || { echo \"scriptd: could not enter the run's cgroup ($1)\" >&2; "
    "exit 125; }; shift; exec \"$@\"";

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* runs/s of one mode for `seconds`; -1 on a failure */
static double trial(int mode, double seconds, const char *parent) {
  pid_t pids[IN_FLIGHT] = {0};
  long ids[IN_FLIGHT] = {0};
  long next = 0, reaped = 0;
  int running = 0;
  double start = now(), end = start + seconds;
  for (;;) {
    while (running < IN_FLIGHT && now() < end) {
      char dir[512], procs[600];
      snprintf(dir, sizeof dir, "%s/run-%ld", parent ? parent : "", next);
      snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
      pid_t pid;
      int rc;
      if (mode == 0) {
        char *argv[] = {"bash", "-c", "true", NULL};
        rc = posix_spawnp(&pid, "bash", NULL, NULL, argv, environ);
      } else if (mode == 1) {
        char *argv[] = {"setsid", "bash", "-c", "true", NULL};
        rc = posix_spawnp(&pid, "setsid", NULL, NULL, argv, environ);
      } else {
        if (mkdir(dir, 0755) != 0) {
          perror("mkdir");
          return -1;
        }
        char *argv[] = {"/bin/sh", "-c", (char *)ENTER, "scriptd-run", procs, "setsid", "bash", "-c", "true", NULL};
        rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
      }
      if (rc != 0) {
        fprintf(stderr, "posix_spawn: %s\n", strerror(rc));
        return -1;
      }
      for (int i = 0; i < IN_FLIGHT; i++) {
        if (pids[i] == 0) {
          pids[i] = pid;
          ids[i] = next;
          break;
        }
      }
      next++;
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
      return -1;
    }
    for (int i = 0; i < IN_FLIGHT; i++) {
      if (pids[i] == done) {
        if (mode == 2) {
          char dir[512];
          snprintf(dir, sizeof dir, "%s/run-%ld", parent, ids[i]);
          rmdir(dir);
        }
        pids[i] = 0;
      }
    }
    running--;
    reaped++;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "a child of mode %d did not exit 0\n", mode);
      return -1;
    }
  }
  return reaped / (now() - start);
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s SECONDS TRIALS [CGROUP2_DIR]\n", argv[0]);
    return 2;
  }
  double seconds = atof(argv[1]);
  int trials = atoi(argv[2]);
  char parent[400] = "";
  int modes = 2;
  if (argc > 3) {
    snprintf(parent, sizeof parent, "%s/scriptd-spawn-floor-%d", argv[3], (int)getpid());
    if (mkdir(parent, 0755) == 0) {
      modes = MODES;
    } else {
      fprintf(stderr, "no cgroup row: cannot make %s: %s\n", parent, strerror(errno));
    }
  }
  double rates[MODES][64];
  if (trials > 64) {
    trials = 64;
  }
  for (int m = 0; m < modes; m++) {
    trial(m, 0.5, parent); /* warm-up, not reported */
  }
  for (int t = 0; t < trials; t++) {
    for (int m = 0; m < modes; m++) {
      rates[m][t] = trial(m, seconds, parent);
      if (rates[m][t] < 0) {
        return 1;
      }
    }
  }
  double base = 0;
  for (int m = 0; m < modes; m++) {
    qsort(rates[m], trials, sizeof(double), by_value);
    double median = rates[m][trials / 2];
    if (m == 0) {
      base = median;
    }
    printf("%-45s %8.0f runs/s  ratio %.2f  (trials %.0f..%.0f)\n", MODE_NAMES[m], median, median / base,
           rates[m][0], rates[m][trials - 1]);
  }
  if (modes == MODES) {
    rmdir(parent);
  }
  return 0;
}
