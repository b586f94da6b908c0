package dev.scriptd.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ScriptFolder: reading a scripts.dir folder")
class ScriptFolderTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("json, yaml and yml files in name order: one definition, a list, or an export; others and hidden files ignored")
  void readsEveryShape() throws Exception {
    Files.writeString(dir.resolve("c.yml"), "scripts:\n  - name: c1\n    command: x\n  - name: c2\n    command: y\n");
    Files.writeString(dir.resolve("a.json"), "{\"name\": \"a\", \"command\": \"x\"}");
    Files.writeString(dir.resolve("b.yaml"), "- name: b1\n  command: x\n- name: b2\n  command: y\n");
    Files.writeString(dir.resolve("empty.yaml"), "");
    Files.writeString(dir.resolve("README.md"), "# not a definition");
    Files.writeString(dir.resolve(".hidden.yaml"), "{broken");
    Files.createDirectory(dir.resolve("sub.yaml"));
    ScriptFolder.Read read = ScriptFolder.read(dir);
    assertTrue(read.ok(), read.error());
    assertEquals(4, read.files());
    assertEquals(List.of("a", "b1", "b2", "c1", "c2"), read.definitions().stream()
        .map(d -> ((io.vertx.core.json.JsonObject) d).getString("name")).toList());
    assertEquals(List.of("a.json", "b.yaml[0]", "b.yaml[1]", "c.yml[0]", "c.yml[1]"), read.origins());
  }

  @Test
  @DisplayName("one unreadable file makes the folder unreadable, named with the error")
  void badFileFailsTheFolder() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), "name: a\ncommand: x\n");
    Files.writeString(dir.resolve("b.json"), "{\"name\": ");
    ScriptFolder.Read read = ScriptFolder.read(dir);
    assertFalse(read.ok());
    assertEquals("b.json", read.badFile());
    assertTrue(read.error().startsWith("is not valid JSON"), read.error());
    assertEquals(0, read.definitions().size());

    Files.writeString(dir.resolve("b.json"), "42");
    assertTrue(ScriptFolder.read(dir).error().contains("neither a script definition"));
    assertFalse(ScriptFolder.read(dir.resolve("missing")).ok());
  }

  @Test
  @DisplayName("an apply error's scripts[i] is turned into the file (and list index) the definition came from")
  void locatesApplyErrors() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), "name: a\ncommand: x\n");
    Files.writeString(dir.resolve("b.yaml"), "- name: b1\n  command: x\n- name: b2\n  command: y\n");
    ScriptFolder.Read read = ScriptFolder.read(dir);
    String message = "nothing was applied: scripts[2].timeout (script b2) must be 1..604800; scripts[0] must be an object";
    assertEquals("nothing was applied: b.yaml[1]: timeout (script b2) must be 1..604800; a.yaml: must be an object",
        read.locate(message));
    assertEquals("b.yaml", read.firstFile(message));
  }

  @Test
  @DisplayName("one file, whatever its name, is read like a folder's file: JSON by its .json name, else YAML")
  void readsOneFile() throws Exception {
    Path list = Files.writeString(dir.resolve("scripts.txt"), "- name: a\n  command: x\n- name: b\n  command: y\n");
    ScriptFolder.Read read = ScriptFolder.readFile(list);
    assertTrue(read.ok(), read.error());
    assertEquals(List.of("scripts.txt[0]", "scripts.txt[1]"), read.origins());
    Path json = Files.writeString(dir.resolve("one.json"), "{\"name\": ");
    assertEquals("one.json", ScriptFolder.readFile(json).badFile());
    assertTrue(ScriptFolder.readFile(dir.resolve("missing.yaml")).error().contains("does not exist"));
  }
}
