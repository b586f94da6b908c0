package dev.scriptd.cli;

import dev.scriptd.domain.ScriptFolder;
import dev.scriptd.domain.YamlText;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * scriptd's command line: the same jar is the server ({@code serve}, or no command) and a client of
 * a server at {@code SCRIPTD_URL} with {@code SCRIPTD_TOKEN}. Exit codes: 0 done, 2 an error (its
 * detail on stderr), and for {@code run --follow} and {@code tail} the run's own exit code.
 */
public final class Cli {
  /** The client's commands; anything else (flags, {@code serve}, nothing) starts the server. */
  private static final Set<String> COMMANDS = Set.of("run", "tail", "runs", "apply", "export", "token", "help", "-h", "--help",
      "-V", "--version");

  private final Terminal terminal;

  public Cli(Terminal terminal) {
    this.terminal = terminal;
  }

  /** True when these arguments ask for the client, false when they start the server. */
  public static boolean isClientCommand(String[] args) {
    if (args.length == 0) {
      return false;
    }
    if (args[0].equals("serve")) {
      return List.of(args).contains("--help") || List.of(args).contains("-h");
    }
    return COMMANDS.contains(args[0]);
  }

  /** The server's flags: the arguments without a leading {@code serve}. */
  public static String[] serverArgs(String[] args) {
    if (args.length > 0 && args[0].equals("serve")) {
      return List.of(args).subList(1, args.length).toArray(new String[0]);
    }
    return args;
  }

  /** Runs one command and returns the exit code (the caller exits with it). */
  public int execute(String... args) {
    ScriptdClient client = new ScriptdClient(terminal.env().get("SCRIPTD_URL"), terminal.env().get("SCRIPTD_TOKEN"));
    CommandLine line = new CommandLine(new Top())
        .addSubcommand("serve", new Serve())
        .addSubcommand("run", new RunCommand(client, terminal))
        .addSubcommand("tail", new Tail(client, terminal))
        .addSubcommand("runs", new Runs(client, terminal))
        .addSubcommand("apply", new Apply(client, terminal))
        .addSubcommand("export", new Export(client, terminal))
        .addSubcommand("token", new CommandLine(new TokenGroup()).addSubcommand("create",
            new TokenCreate(client, terminal)))
        .addSubcommand("help", new CommandLine.HelpCommand());
    line.setOut(new PrintWriter(terminal.out(), true));
    line.setErr(new PrintWriter(terminal.err(), true));
    line.setExecutionExceptionHandler((failure, command, parsed) -> {
      terminal.out().flush();
      if (failure instanceof CliException) {
        terminal.err().println("scriptd: " + failure.getMessage());
      } else {
        terminal.err().println("scriptd: " + failure);
      }
      return 2;
    });
    int code = line.execute(args);
    terminal.out().flush();
    terminal.err().flush();
    return code;
  }

  @Command(name = "scriptd", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "A self-hosted script execution service. With no command (or 'serve') it runs the server;"
          + " the other commands talk to a server at SCRIPTD_URL (default " + ScriptdClient.DEFAULT_URL + ")"
          + " with the token in SCRIPTD_TOKEN.",
      footer = {"", "Exit codes: 0 success; 2 an error (the server's explanation on stderr); run --follow and"
          + " tail exit with the run's exit code (1 when a failed, killed or lost run has none), 130 on Ctrl-C."})
  static final class Top implements Runnable {
    @Override
    public void run() {
      // reached only for 'scriptd' with options that do not run anything
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"scriptd " + (version == null ? "(development build)" : version)};
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Run the server (the default with no command). Flags: --host, --port, --data-dir, --db-file,"
          + " --log-dir, --rate-limit, --public-url, --config FILE, --reset-admin-token;"
          + " the one-dash form (-port=8080) works too. SCRIPTD_<FLAG> variables override the config file.")
  static final class Serve implements Runnable {
    @Parameters(arity = "0..*", hidden = true)
    List<String> flags = new ArrayList<>();

    @Override
    public void run() {
      // Main serves before the command line is parsed; this entry exists for its help text
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Start a run: an ad-hoc COMMAND (bash), or --script NAME. Prints the run id, or with"
          + " --follow its lines as they come, and exits with the run's exit code.")
  static final class RunCommand implements Callable<Integer> {
    private final ScriptdClient client;
    private final Terminal terminal;

    @Option(names = {"-f", "--follow"}, description = "print the run's lines until it ends; exit with its code")
    boolean follow;

    @Option(names = "--script", paramLabel = "NAME", description = "run this saved script (name or id)")
    String script;

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
        description = "a parameter of the script's run (repeatable); a JSON number, true, false, null, array or"
            + " object is sent as such, anything else as a string")
    List<String> params = new ArrayList<>();

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "the command, as one argument or several"
        + " (joined with spaces)")
    List<String> command = new ArrayList<>();

    RunCommand(ScriptdClient client, Terminal terminal) {
      this.client = client;
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      JsonObject run;
      if (script != null) {
        if (!command.isEmpty()) {
          throw new CliException("give either --script NAME or a COMMAND, not both");
        }
        run = client.post("/api/scripts/" + ScriptdClient.segment(script) + "/run",
            new JsonObject().put("params", params(params)));
      } else {
        if (!params.isEmpty()) {
          throw new CliException("--param needs --script NAME (an ad-hoc command takes no parameters)");
        }
        if (command.isEmpty()) {
          throw new CliException("nothing to run: give a COMMAND (e.g. scriptd run 'echo hello') or --script NAME");
        }
        run = client.post("/api/runs", new JsonObject().put("command", String.join(" ", command)));
      }
      String id = run.getString("id");
      if (!follow) {
        terminal.out().println(id);
        return 0;
      }
      terminal.err().println("run " + id + " (" + run.getString("status") + ")");
      return new RunFollower(client, terminal).follow(id, true);
    }

    static JsonObject params(List<String> pairs) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (String pair : pairs) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new CliException("--param '" + pair + "' is not KEY=VALUE");
        }
        values.put(pair.substring(0, eq), value(pair.substring(eq + 1)));
      }
      return new JsonObject(values);
    }

    /** A JSON literal when the text is one (42, true, [1,2]); otherwise the text itself. */
    static Object value(String text) {
      String trimmed = text.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("\"")) {
        return trimmed.startsWith("\"") ? decodeOr(trimmed, text) : text;
      }
      char first = trimmed.charAt(0);
      boolean literal = first == '[' || first == '{' || first == '-' || Character.isDigit(first)
          || trimmed.equals("true") || trimmed.equals("false") || trimmed.equals("null");
      return literal ? decodeOr(trimmed, text) : text;
    }

    private static Object decodeOr(String json, String fallback) {
      try {
        return Json.decodeValue(json);
      } catch (DecodeException e) {
        return fallback;
      }
    }
  }

  @Command(name = "tail", mixinStandardHelpOptions = true,
      description = {"Print a run's lines, stored and live, until it ends; exit with its exit code."})
  static final class Tail implements Callable<Integer> {
    private final ScriptdClient client;
    private final Terminal terminal;

    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    Tail(ScriptdClient client, Terminal terminal) {
      this.client = client;
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      return new RunFollower(client, terminal).follow(runId, false);
    }
  }

  @Command(name = "runs", mixinStandardHelpOptions = true, description = {"List runs, newest first."})
  static final class Runs implements Callable<Integer> {
    private final ScriptdClient client;
    private final Terminal terminal;

    @Option(names = "--status", paramLabel = "S",
        description = "only runs in this status: pending, running, completed, failed, killed, timed_out, lost")
    String status;

    @Option(names = "--script", paramLabel = "NAME", description = "only the runs of this script (name or id)")
    String script;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "at most N runs (1..1000;"
        + " default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print the runs as JSON, one object per line")
    boolean json;

    Runs(ScriptdClient client, Terminal terminal) {
      this.client = client;
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      StringBuilder path = new StringBuilder(script == null ? "/api/runs"
          : "/api/scripts/" + ScriptdClient.segment(script) + "/runs");
      path.append("?limit=").append(limit);
      if (status != null) {
        path.append("&status=").append(ScriptdClient.segment(status));
      }
      JsonArray items = client.get(path.toString()).getJsonArray("items", new JsonArray());
      if (json) {
        items.forEach(item -> terminal.out().println(((JsonObject) item).encode()));
        return 0;
      }
      terminal.out().printf("%-36s  %-9s  %4s  %-24s  %s%n", "ID", "STATUS", "EXIT", "CREATED", "COMMAND");
      for (Object item : items) {
        JsonObject run = (JsonObject) item;
        Object exit = run.getValue("exit_code");
        String what = run.getString("command");
        if (what == null) {
          what = run.getString("script_id") == null ? "" : "script " + run.getString("script_id");
        }
        terminal.out().printf("%-36s  %-9s  %4s  %-24s  %s%n", run.getString("id"), run.getString("status"),
            exit == null ? "-" : exit, run.getString("created_at"), oneLine(what));
      }
      return 0;
    }

    private static String oneLine(String text) {
      String line = text.replaceAll("\\s*\n\\s*", "; ");
      return line.length() > 60 ? line.substring(0, 57) + "..." : line;
    }
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = {"Make the server's scripts match definition files: create new names, replace changed ones,"
          + " with --prune delete the others; all or nothing. FILE holds one definition, a list or an export;"
          + " DIR is read like scripts.dir (its *.json, *.yaml and *.yml files). Prints what was created,"
          + " updated, unchanged and deleted, one line each."})
  static final class Apply implements Callable<Integer> {
    static final List<String> OUTCOMES = List.of("created", "updated", "unchanged", "deleted");
    private static final Pattern AT = Pattern.compile("scripts\\[(\\d+)]\\.?(.*)");
    private final ScriptdClient client;
    private final Terminal terminal;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE|DIR",
        description = "a definition file, or a folder of them")
    Path path;

    @Option(names = "--prune", description = "also delete the scripts the files do not define (admin)")
    boolean prune;

    @Option(names = "--dry-run", description = "print what would happen and change nothing")
    boolean dryRun;

    Apply(ScriptdClient client, Terminal terminal) {
      this.client = client;
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      ScriptFolder.Read read = Files.isDirectory(path) ? ScriptFolder.read(path) : ScriptFolder.readFile(path);
      if (!read.ok()) {
        throw new CliException((read.badFile() == null ? "" : read.badFile() + ": ") + read.error()
            + "; nothing was sent");
      }
      if (prune && read.definitions().isEmpty()) {
        // an empty folder (a wrong path, a checkout half done) must not wipe every script
        throw new CliException(path + " holds no definitions; with --prune that would delete every script");
      }
      JsonObject summary;
      try {
        summary = client.post("/api/scripts/apply", new JsonObject().put("scripts", read.definitions())
            .put("prune", prune).put("dry_run", dryRun));
      } catch (CliException refused) {
        if (refused.errors().isEmpty()) {
          throw new CliException(read.locate(refused.getMessage()));
        }
        terminal.err().println("scriptd: nothing was applied: " + refused.errors().size()
            + (refused.errors().size() == 1 ? " error" : " errors") + " in the definitions");
        for (Object error : refused.errors()) {
          terminal.err().println("  " + where((JsonObject) error, read));
        }
        return 2;
      }
      for (String outcome : OUTCOMES) {
        JsonArray names = summary.getJsonArray(outcome, new JsonArray());
        terminal.out().println(outcome + ": " + (names.isEmpty() ? "-" : String.join(", ", names.getList())));
      }
      if (summary.getBoolean("dry_run", false)) {
        terminal.err().println("dry run: nothing was changed");
      }
      return 0;
    }

    /** {@code scripts[2].timeout} of an error as the file it came from, the script and the field. */
    static String where(JsonObject error, ScriptFolder.Read read) {
      String field = error.getString("field", "");
      String message = error.getString("message", "");
      Matcher index = AT.matcher(field);
      if (!index.matches() || Integer.parseInt(index.group(1)) >= read.origins().size()) {
        return field + ": " + message;
      }
      int i = Integer.parseInt(index.group(1));
      Object definition = read.definitions().getValue(i);
      String script = definition instanceof JsonObject object && object.getValue("name") instanceof String name
          ? " (script " + name + ")" : "";
      String rest = index.group(2);
      return read.origins().get(i) + script + ": " + (rest.isEmpty() ? "" : rest + " ") + message;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Print every script as YAML definitions (secret values as ***), or with -o DIR write one"
          + " <name>.yaml per script into DIR (created if missing; other files there are left alone)."
          + " 'apply -f DIR' of that folder changes nothing."})
  static final class Export implements Callable<Integer> {
    private final ScriptdClient client;
    private final Terminal terminal;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "write one <name>.yaml per script here")
    Path dir;

    Export(ScriptdClient client, Terminal terminal) {
      this.client = client;
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      if (dir == null) {
        terminal.out().print(client.text("/api/scripts/export", "application/yaml"));
        return 0;
      }
      JsonArray scripts = client.get("/api/scripts/export").getJsonArray("scripts", new JsonArray());
      Set<String> used = new HashSet<>();
      try {
        Files.createDirectories(dir);
        for (Object item : scripts) {
          JsonObject definition = (JsonObject) item;
          Files.writeString(dir.resolve(fileName(definition.getString("name"), used)), YamlText.write(definition));
        }
      } catch (IOException e) {
        throw new CliException("cannot write to " + dir + ": " + e.getMessage());
      }
      terminal.err().println("wrote " + scripts.size() + (scripts.size() == 1 ? " script" : " scripts") + " to "
          + dir);
      return 0;
    }

    /**
     * {@code <name>.yaml}, not hidden (a folder's reader skips dot files, and a name may start with a
     * dot) and not one already written.
     */
    static String fileName(String name, Set<String> used) {
      String base = name.startsWith(".") ? "_" + name : name;
      String file = base + ".yaml";
      for (int n = 2; !used.add(file); n++) {
        file = base + "-" + n + ".yaml";
      }
      return file;
    }
  }

  @Command(name = "token", mixinStandardHelpOptions = true, description = {"Manage API tokens (admin)."},
      subcommandsRepeatable = false)
  static final class TokenGroup implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(), "missing command: scriptd token create NAME --role ROLE");
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Create a token and print it (on stdout, alone: it is shown only now)."})
  static final class TokenCreate implements Callable<Integer> {
    private final ScriptdClient client;
    private final Terminal terminal;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, operator or admin")
    String role;

    TokenCreate(ScriptdClient client, Terminal terminal) {
      this.client = client;
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      JsonObject created = client.post("/api/tokens", new JsonObject().put("name", name).put("role", role));
      terminal.err().println("created token '" + created.getString("name") + "' (" + created.getString("role")
          + ", id " + created.getString("id") + "); it is shown only now:");
      terminal.out().println(created.getString("token"));
      return 0;
    }
  }
}
