package dev.scriptd.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scriptd.config.SecurityConfig;
import dev.scriptd.domain.Script;
import dev.scriptd.domain.ScriptFolder;
import dev.scriptd.domain.SecretEnv;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("src/docs/scripts-as-files.md: the example folder is valid and applies as described")
class ScriptsAsFilesDocTest {
  private static final Path DOC = Path.of("src", "docs", "scripts-as-files.md");

  @TempDir
  Path folder;

  /** The first fenced block after the line that starts with `file`. */
  private static String block(String doc, String file) {
    int label = doc.indexOf("\n`" + file + "`");
    assertTrue(label >= 0, file + " is not in the example");
    int open = doc.indexOf("```", label);
    int start = doc.indexOf('\n', open) + 1;
    return doc.substring(start, doc.indexOf("```", start));
  }

  @Test
  @DisplayName("the three example files read as four definitions that apply, once the secret is stored")
  void exampleFolderApplies() throws Exception {
    String doc = Files.readString(DOC);
    for (String file : List.of("backup.yaml", "reports.yaml", "hooks.json")) {
      Files.writeString(folder.resolve(file), block(doc, file));
    }
    ScriptFolder.Read read = ScriptFolder.read(folder);
    assertTrue(read.ok(), read.error());
    var limits = SecurityConfig.fromJson(new JsonObject()).limits().perRun();

    ScriptApplyPlan refused = ScriptApplyPlan.of(read.definitions(), List.of(), false, 3600, limits, Instant.now(),
        () -> "id");
    assertFalse(refused.valid(), "*** without a stored secret is refused, as the document says");
    assertTrue(read.locate(refused.detail()).contains("backup.yaml: env.PGPASSWORD"), read.locate(refused.detail()));

    Script stored = ScriptSpec.parse(new JsonObject().put("name", "nightly-backup").put("command", "true")
        .put("env", new JsonObject().put("PGPASSWORD", new JsonObject().put("value", "pw").put("secret", true))),
        3600, limits).spec().toScript("b", 1, Instant.now(), Instant.now());
    ScriptApplyPlan plan = ScriptApplyPlan.of(read.definitions(), List.of(stored), false, 3600, limits,
        Instant.now(), () -> "id");
    assertTrue(plan.valid(), plan.detail());
    assertEquals(List.of("hello", "weekly-report", "report-cleanup"), // files in name order
        plan.creates().stream().map(Script::name).toList());
    assertEquals(Map.of("DATABASE", "app", "PGPASSWORD", "pw"), SecretEnv.processEnv(plan.updates().get(0).env()));
  }
}
