package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Finding where runs' cgroups can live")
class CgroupDiscoveryTest {
  /** A host with cgroup v1 controllers and an empty cgroup v2 hierarchy beside them. */
  private static final String HYBRID_MOUNTS = """
      31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
      35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
      39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
      41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
      """;
  private static final String HYBRID_CGROUP = """
      4:memory:/process_api/988f
      1:cpu:/
      0::/
      """;
  /** A systemd host: one cgroup v2 hierarchy, the server in its service's group. */
  private static final String UNIFIED_MOUNTS = """
      22 1 0:21 / / rw - ext4 /dev/sda1 rw
      29 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
      """;
  private static final String SERVICE_CGROUP = "0::/system.slice/scriptd.service\n";

  @Test
  @DisplayName("the server's own cgroup is chosen when it is writable (a delegated systemd unit)")
  void ownCgroupWhenWritable() {
    CgroupDiscovery.Found found = CgroupDiscovery.find(SERVICE_CGROUP, UNIFIED_MOUNTS,
        dir -> dir.equals(Path.of("/sys/fs/cgroup/system.slice/scriptd.service")));
    assertEquals(Path.of("/sys/fs/cgroup/system.slice/scriptd.service"), found.base());
    assertTrue(found.reason().contains("own cgroup"), found.reason());
  }

  @Test
  @DisplayName("a writable cgroup v2 mount is taken when the server's own cgroup is not writable")
  void writableMountWhenOwnIsNot() {
    CgroupDiscovery.Found found = CgroupDiscovery.find(SERVICE_CGROUP, UNIFIED_MOUNTS,
        dir -> dir.equals(Path.of("/sys/fs/cgroup")));
    assertEquals(Path.of("/sys/fs/cgroup"), found.base());
    assertTrue(found.reason().contains("is not"), found.reason());
  }

  @Test
  @DisplayName("on a hybrid host the empty cgroup v2 hierarchy at /sys/fs/cgroup/unified is found, not a v1 mount")
  void hybridHostFindsTheUnifiedMount() {
    CgroupDiscovery.Found found = CgroupDiscovery.find(HYBRID_CGROUP, HYBRID_MOUNTS, dir -> true);
    assertEquals(Path.of("/sys/fs/cgroup/unified"), found.base());
  }

  @Test
  @DisplayName("nothing is found without a cgroup v2 mount, or when no group is writable, and the reason says so")
  void noneWithoutAWritableHierarchy() {
    String v1Only = HYBRID_MOUNTS.lines().filter(line -> !line.contains("cgroup2")).reduce("", (a, b) -> a + b + "\n");
    CgroupDiscovery.Found none = CgroupDiscovery.find(HYBRID_CGROUP, v1Only, dir -> true);
    assertNull(none.base());
    assertTrue(none.reason().contains("no cgroup v2 hierarchy"), none.reason());
    CgroupDiscovery.Found readOnly = CgroupDiscovery.find(SERVICE_CGROUP, UNIFIED_MOUNTS, dir -> false);
    assertNull(readOnly.base());
    assertTrue(readOnly.reason().contains("/sys/fs/cgroup/system.slice/scriptd.service"), readOnly.reason());
  }

  @Test
  @DisplayName("a mount of a sub-tree (a container's view) maps the own path below the mount's root")
  void subTreeMount() {
    String mounts = "50 40 0:30 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
    CgroupDiscovery.Found found = CgroupDiscovery.find("0::/docker/abc/app\n", mounts,
        dir -> dir.equals(Path.of("/sys/fs/cgroup/app")));
    assertEquals(Path.of("/sys/fs/cgroup/app"), found.base());
  }

  @Test
  @DisplayName("escaped mount points are read back (a space is \\040)")
  void escapedMountPoint() {
    assertEquals(Path.of("/mnt/my cgroups"), CgroupDiscovery.cgroup2Mounts(
        "60 1 0:40 / /mnt/my\\040cgroups rw - cgroup2 none rw\n").get(0).mountPoint());
  }

  @Test
  @DisplayName("two data dirs get two groups under one base; one data dir always the same")
  void oneGroupPerDataDir() {
    Path base = Path.of("/sys/fs/cgroup/unified");
    Path a = CgroupDiscovery.runsParent(base, Path.of("/srv/a/data"));
    assertEquals(a, CgroupDiscovery.runsParent(base, Path.of("/srv/a/./data")));
    assertNotEquals(a, CgroupDiscovery.runsParent(base, Path.of("/srv/b/data")));
    assertTrue(a.getFileName().toString().matches("scriptd-[0-9a-f]{12}"), a.toString());
    assertEquals(Set.of(base), Set.of(a.getParent()));
  }

  @Test
  @DisplayName("a deleted own cgroup or a host without the 0:: line has no own path")
  void ownPath() {
    assertNull(CgroupDiscovery.ownPath("0::/gone (deleted)\n"));
    assertNull(CgroupDiscovery.ownPath("4:memory:/x\n"));
    assertEquals("/a/b", CgroupDiscovery.ownPath("1:cpu:/\n0::/a/b\n"));
  }
}
