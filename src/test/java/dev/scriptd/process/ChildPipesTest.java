package dev.scriptd.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.zaxxer.nuprocess.internal.ReferenceCountedFileDescriptor;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChildPipesTest {
  private static final int F_GETPIPE_SZ = 1032;

  interface Posix extends Library {
    int pipe(int[] fds);

    int write(int fd, byte[] bytes, int count);

    int close(int fd);

    int fcntl(int fd, int cmd, int arg);
  }

  private static final Posix POSIX = Native.load("c", Posix.class);

  private final int[] fds = new int[2];
  private ReferenceCountedFileDescriptor readEnd;

  @BeforeEach
  void openPipe() {
    assertEquals(0, POSIX.pipe(fds));
    readEnd = new ReferenceCountedFileDescriptor(fds[0]);
  }

  @AfterEach
  void closePipe() {
    readEnd.close();
    if (fds[1] >= 0) {
      POSIX.close(fds[1]);
    }
  }

  private void write(byte[] bytes) {
    int done = 0;
    while (done < bytes.length) {
      byte[] rest = java.util.Arrays.copyOfRange(bytes, done, bytes.length);
      int n = POSIX.write(fds[1], rest, rest.length);
      assertTrue(n > 0, "write failed");
      done += n;
    }
  }

  @Test
  @DisplayName("grow sets the pipe's capacity, as F_GETPIPE_SZ reads it from the other end")
  void growsThePipe() {
    assertEquals(256 << 10, ChildPipes.grow(readEnd, 256 << 10));
    assertEquals(256 << 10, POSIX.fcntl(fds[1], F_GETPIPE_SZ, 0));
  }

  @Test
  @DisplayName("readRest reads everything a hung-up pipe holds, in order, beyond one buffer")
  void readsTheRestInOrder() {
    ChildPipes.grow(readEnd, 256 << 10);
    byte[] burst = new byte[200_000];
    for (int i = 0; i < burst.length; i++) {
      burst[i] = (byte) ('a' + i % 26);
    }
    write(burst);
    POSIX.close(fds[1]);
    fds[1] = -1;
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long read = ChildPipes.readRest(readEnd, new byte[65_536], (bytes, length) -> got.write(bytes, 0, length));
    assertEquals(burst.length, read);
    assertArrayEquals(burst, got.toByteArray());
  }

  @Test
  @DisplayName("readRest returns at once on an empty pipe whose writer is still open, and on a closed descriptor")
  void neverBlocks() {
    assertEquals(0, ChildPipes.readRest(readEnd, new byte[1024], (bytes, length) -> {
      throw new AssertionError("nothing to read");
    }));
    write(new byte[] {'x'});
    readEnd.close();
    assertEquals(0, ChildPipes.readRest(readEnd, new byte[1024], (bytes, length) -> {
      throw new AssertionError("the descriptor is closed");
    }));
  }
}
