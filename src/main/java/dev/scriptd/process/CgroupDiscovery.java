package dev.scriptd.process;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Where runs' cgroups can live, found from the text of {@code /proc/self/cgroup} and
 * {@code /proc/self/mountinfo}: the cgroup v2 group the server itself runs in when it is writable
 * (a systemd unit with {@code Delegate=yes}), else the first writable cgroup v2 mount. Pure: the
 * file system is only asked through {@link Probe}, so the rules are tested with made-up texts.
 */
final class CgroupDiscovery {
  /** Whether a directory is a cgroup v2 group this process may create groups in. */
  interface Probe {
    boolean writable(Path dir);
  }

  /** A cgroup v2 mount: the hierarchy's {@code root} path seen at {@code mountPoint}. */
  record Mount(String root, Path mountPoint) {
  }

  /** {@code base} null: none found; {@code reason} says why it was chosen, or why none was. */
  record Found(Path base, String reason) {
  }

  private CgroupDiscovery() {
  }

  static Found find(String procSelfCgroup, String mountinfo, Probe probe) {
    List<Mount> mounts = cgroup2Mounts(mountinfo);
    if (mounts.isEmpty()) {
      return new Found(null, "no cgroup v2 hierarchy is mounted");
    }
    String own = ownPath(procSelfCgroup);
    Path ownDir = own == null ? null : ownDir(own, mounts);
    if (ownDir != null && probe.writable(ownDir)) {
      return new Found(ownDir, "the server's own cgroup " + ownDir + " is writable");
    }
    for (Mount mount : mounts) {
      if (probe.writable(mount.mountPoint())) {
        return new Found(mount.mountPoint(), "the cgroup v2 mount " + mount.mountPoint() + " is writable"
            + (ownDir == null ? "" : " (the server's own cgroup " + ownDir + " is not)"));
      }
    }
    return new Found(null, "no writable cgroup v2 group: "
        + (ownDir == null ? "" : "not the server's own " + ownDir + ", ")
        + "none of the mounts " + mounts.stream().map(m -> m.mountPoint().toString()).toList());
  }

  /** The group under {@code base} that holds the runs of the server with this data dir. */
  static Path runsParent(Path base, Path dataDir) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(
          dataDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      // one group per data dir: two servers on one host never end each other's runs
      return base.resolve("scriptd-" + HexFormat.of().formatHex(digest, 0, 6));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The cgroup v2 path of the {@code 0::} line, or null (no cgroup v2, or a deleted group). */
  static String ownPath(String procSelfCgroup) {
    for (String line : procSelfCgroup.split("\n")) {
      if (line.startsWith("0::")) {
        String path = line.substring(3).trim();
        return path.startsWith("/") && !path.endsWith(" (deleted)") ? path : null;
      }
    }
    return null;
  }

  /** Every cgroup2 mount of a mountinfo text, in its order. */
  static List<Mount> cgroup2Mounts(String mountinfo) {
    List<Mount> mounts = new ArrayList<>();
    for (String line : mountinfo.split("\n")) {
      String[] fields = line.trim().split(" ");
      int separator = List.of(fields).indexOf("-");
      // id parent major:minor root mount-point options [optional...] - type source super-options
      if (separator < 6 || separator + 1 >= fields.length || !"cgroup2".equals(fields[separator + 1])) {
        continue;
      }
      mounts.add(new Mount(unescape(fields[3]), Path.of(unescape(fields[4]))));
    }
    return mounts;
  }

  private static Path ownDir(String own, List<Mount> mounts) {
    for (Mount mount : mounts) {
      String root = mount.root();
      if (root.equals("/") || own.equals(root) || own.startsWith(root + "/")) {
        String rest = root.equals("/") ? own : own.substring(root.length());
        return rest.equals("/") || rest.isEmpty() ? mount.mountPoint()
            : mount.mountPoint().resolve(rest.substring(1));
      }
    }
    return null;
  }

  /** mountinfo escapes space, tab, newline and backslash as \ooo. */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()
          && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
