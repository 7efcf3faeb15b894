package inventory.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The doc test's reading of the documents: which files, and each one's shell examples and markers as the steps
 * {@link DocExamplesTest} runs (its comment says what runs and what the markers do).
 */
final class DocSteps {

    /**
     * Programs whose commands build, start or deploy the service, or need a cloud account: not API calls, so they are
     * skipped (and listed) wherever they appear in a block that also calls the API. The test starts its own server.
     */
    private static final Map<String, String> NOT_API_CALLS = Map.of(
            "target/inventory/bin/inventory", "starts the service; the test starts its own",
            "bin/inventory", "starts the service; the test starts its own",
            "./jlink.sh", "builds the image",
            "./mvnw", "runs the build",
            "docker", "needs a container engine",
            "podman", "needs a container engine",
            "buildah", "needs a container engine",
            "aws", "needs an AWS account");

    /** The variables the test sets in each session; a doc's own assignments of them are skipped. */
    private static final Pattern HARNESS_ASSIGNMENT = Pattern.compile("^(B|KEY|ADMIN)=\\S*(\\s+#.*)?$");
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*doctest:\\s*(env|restart|skip)\\b(.*?)-->\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```+|~~~+)\\s*([A-Za-z0-9_+-]*).*$");
    private static final Pattern API_CALL = Pattern.compile("\\bcurl\\b|\\$\\{?B\\b");

    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))
                && Files.isRegularFile(p.resolve("mvnw"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (README.md, docs/, mvnw) above " + Path.of("").toAbsolutePath());
    }

    /** README.md and every Markdown file under docs/, in a stable order. */
    static List<Path> documents(Path root) throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(root.resolve("README.md"));
        try (Stream<Path> s = Files.walk(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p)).sorted().forEach(docs::add);
        }
        return docs;
    }

    sealed interface Step permits Command, Server {
    }

    /**
     * One command: {@code expected} is the shown output of a console command, null for a script line; {@code skip},
     * if not null, the reason it does not run.
     */
    record Command(String file, int line, String text, String expected, String skip) implements Step {
        String where() {
            return file + ":" + line;
        }
    }

    /** A marker that (re)starts the document's server. */
    record Server(String file, int line, boolean restart, Map<String, String> env) implements Step {
    }

    /** Reads a document's steps; blocks that are not API examples go to {@code notes}. */
    static List<Step> parse(Path root, Path doc, List<String> notes) throws IOException {
        String file = root.relativize(doc).toString();
        List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        List<Step> steps = new ArrayList<>();
        String skipNext = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher marker = MARKER.matcher(lines.get(i));
            if (marker.matches()) {
                String arg = marker.group(2).trim();
                if (marker.group(1).equals("skip")) {
                    if (arg.isEmpty()) {
                        throw new AssertionError(file + ":" + (i + 1) + ": a doctest skip marker must give a reason");
                    }
                    skipNext = arg;
                } else {
                    Map<String, String> env = new LinkedHashMap<>();
                    for (String pair : arg.isEmpty() ? new String[0] : arg.split("\\s+")) {
                        int eq = pair.indexOf('=');
                        if (eq < 1) {
                            throw new AssertionError(file + ":" + (i + 1) + ": expected NAME=value, got '" + pair + "'");
                        }
                        env.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                    steps.add(new Server(file, i + 1, marker.group(1).equals("restart"), env));
                }
                continue;
            }
            Matcher fence = FENCE.matcher(lines.get(i));
            if (!fence.matches()) {
                continue;
            }
            String lang = fence.group(2).toLowerCase(Locale.ROOT);
            String close = fence.group(1);
            int start = i + 1;
            int end = start;
            while (end < lines.size() && !lines.get(end).trim().startsWith(close)) {
                end++;
            }
            List<String> body = lines.subList(start, Math.min(end, lines.size()));
            i = end;
            boolean console = lang.equals("console") || lang.equals("shell-session");
            boolean script = lang.equals("sh") || lang.equals("bash") || lang.equals("shell");
            if (!console && !script) {
                skipNext = null;
                continue;
            }
            List<Command> block = console ? consoleCommands(file, start, body) : scriptCommands(file, start, body);
            boolean api = block.stream().anyMatch(c -> API_CALL.matcher(c.text()).find());
            String first = block.isEmpty() ? "(empty)" : block.getFirst().text().lines().findFirst().orElse("");
            if (skipNext != null) {
                notes.add("SKIPPED (marker: " + skipNext + ") " + file + ":" + start + " block of " + block.size()
                          + " command(s), first: " + first);
                skipNext = null;
                continue;
            }
            if (!api) {
                // not run; said why, with the list's reason for each command on it
                List<String> reasons = block.stream().map(c -> notApiCall(c.text())).filter(r -> r != null)
                        .distinct().toList();
                notes.add("not an API example (no curl, no $B" + (reasons.isEmpty() ? "" : "; " + String.join("; ", reasons))
                          + "): " + file + ":" + start + " " + lang + " block, first command: " + first);
                continue;
            }
            for (Command c : block) {
                String reason = notApiCall(c.text());
                steps.add(reason == null ? c : new Command(c.file(), c.line(), c.text(), c.expected(), reason));
            }
        }
        return steps;
    }

    private static List<Command> consoleCommands(String file, int firstLine, List<String> body) {
        List<Command> out = new ArrayList<>();
        int i = 0;
        while (i < body.size() && !body.get(i).startsWith("$ ")) {
            if (!body.get(i).isBlank()) {
                throw new AssertionError(file + ":" + (firstLine + i + 1) + ": console block text before the first $ prompt");
            }
            i++;
        }
        while (i < body.size()) {
            int line = firstLine + i + 1;
            StringBuilder cmd = new StringBuilder(body.get(i).substring(2));
            while (cmd.toString().endsWith("\\") && i + 1 < body.size()) {
                cmd.append('\n').append(body.get(++i));
            }
            i++;
            StringBuilder expected = new StringBuilder();
            while (i < body.size() && !body.get(i).startsWith("$ ")) {
                expected.append(body.get(i)).append('\n');
                i++;
            }
            out.add(new Command(file, line, cmd.toString(), expected.toString().strip(), null));
        }
        return out;
    }

    private static List<Command> scriptCommands(String file, int firstLine, List<String> body) {
        List<Command> out = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            String l = body.get(i);
            if (l.isBlank() || l.trim().startsWith("#")) {
                continue;
            }
            int line = firstLine + i + 1;
            StringBuilder cmd = new StringBuilder(l);
            while (cmd.toString().endsWith("\\") && i + 1 < body.size()) {
                cmd.append('\n').append(body.get(++i));
            }
            out.add(new Command(file, line, cmd.toString(), null, null));
        }
        return out;
    }

    /** Why a command is not run, or null to run it. */
    static String notApiCall(String command) {
        if (HARNESS_ASSIGNMENT.matcher(command.trim()).matches()) {
            return "set by the test";
        }
        String[] words = command.trim().split("\\s+");
        int w = 0;
        while (w < words.length - 1 && words[w].matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
            w++; // VAR=value before the program
        }
        return NOT_API_CALLS.get(words[w]);
    }

    private DocSteps() {
    }
}
