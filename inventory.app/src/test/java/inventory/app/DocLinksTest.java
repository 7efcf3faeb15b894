package inventory.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link and image in {@code README.md} and {@code docs/**}{@code /*.md} resolves: the file (or folder)
 * exists, and a {@code #fragment} names a heading of the target (GitHub's slugs: lower case, punctuation dropped,
 * spaces as {@code -}, {@code -1}, {@code -2} … for repeated headings) or an HTML {@code id}/{@code name} in it.
 * Links with a scheme ({@code https:}, {@code mailto:}) are not checked; neither is text in code blocks or code spans.
 */
class DocLinksTest {

    /** {@code [text](target)} and {@code ![alt](target)}, the target up to a space (a title may follow). */
    private static final Pattern INLINE = Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+[\"'(][^)]*)?\\)");
    /** {@code [label]: target} */
    private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");
    /** {@code <img src="…">}, {@code <a href="…">} */
    private static final Pattern HTML = Pattern.compile("<(?:img|a|source)\\b[^>]*?\\b(?:src|href|srcset)\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<[a-z]+\\b[^>]*?\\b(?:id|name)\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```+|~~~+)");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    @Test
    void everyRelativeLinkAndImageResolves() throws IOException {
        Path root = DocSteps.repositoryRoot();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : DocSteps.documents(root)) {
            for (Link link : links(doc)) {
                String problem = check(root, doc, link.target());
                checked++;
                if (problem != null) {
                    broken.add(root.relativize(doc) + ":" + link.line() + ": " + link.target() + " — " + problem);
                }
            }
        }
        System.out.println("doclinks: checked " + checked + " relative link(s) and image(s)");
        assertTrue(checked > 0, "no relative links found at all: is the parser broken?");
        assertEquals(List.of(), broken, broken.size() + " broken relative link(s) or image(s):\n  "
                                        + String.join("\n  ", broken) + "\n");
    }

    @Test
    void slugsAreGitHubs() {
        assertEquals("database-roles-least-privilege", slug("Database roles (least privilege)"));
        assertEquals("checkout-reserve-then-commit-release-or-let-expire",
                slug("Checkout: reserve, then commit, release or let expire"));
        assertEquals("the-runbook-inventory-5xx", slug("The runbook: `inventory-5xx`"));
        assertEquals("api-by-example", slug("API by example"));
        assertEquals("a-link-and-snake_case", slug("A [link](x.md) and snake_case"));
    }

    /** The checker catches what it is for. */
    @Test
    void aBrokenLinkIsReported(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.md"), "# Title\n\n## Second part\n");
        Files.createDirectories(dir.resolve("img"));
        Files.writeString(dir.resolve("img/x.png"), "png");
        Path doc = dir.resolve("b.md");
        Files.writeString(doc, """
                [ok](a.md) [ok](a.md#second-part) ![ok](img/x.png "title") [ok](#here) [web](https://example.com/x)
                ## Here
                [missing](nope.md) ![missing](img/y.png) [bad anchor](a.md#third-part) [bad](#there)
                `[in code](nowhere.md)`
                ```
                [in a block](nowhere.md)
                ```
                [ref]: gone.md
                <img src="img/z.png">
                """);
        List<String> problems = new ArrayList<>();
        for (Link l : links(doc)) {
            String p = check(dir, doc, l.target());
            if (p != null) {
                problems.add(l.target());
            }
        }
        assertEquals(List.of("nope.md", "img/y.png", "a.md#third-part", "#there", "gone.md", "img/z.png"), problems);
    }

    record Link(int line, String target) {
    }

    /** Which lines are fenced code (the fences included), where neither links nor headings count. */
    static boolean[] inCode(List<String> lines) {
        boolean[] code = new boolean[lines.size()];
        String fence = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher f = FENCE.matcher(line);
            if (f.find()) {
                if (fence == null) {
                    fence = f.group(1);
                } else if (line.trim().startsWith(fence)) {
                    fence = null;
                }
                code[i] = true;
            } else {
                code[i] = fence != null;
            }
        }
        return code;
    }

    /** The relative links of a Markdown file, outside code blocks and code spans. */
    static List<Link> links(Path doc) throws IOException {
        List<Link> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        boolean[] code = inCode(lines);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (code[i]) {
                continue;
            }
            String text = line.replaceAll("`+[^`]*`+", "``");
            for (Pattern p : List.of(INLINE, REFERENCE, HTML)) {
                Matcher m = p.matcher(text);
                while (m.find()) {
                    String target = m.group(1);
                    if (!target.isEmpty() && !SCHEME.matcher(target).find() && !target.startsWith("//")) {
                        out.add(new Link(i + 1, target));
                    }
                }
            }
        }
        return out;
    }

    /** Null if the link resolves, else what is wrong. */
    static String check(Path root, Path doc, String target) throws IOException {
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String fragment = hash < 0 ? null : target.substring(hash + 1);
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        path = java.net.URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        Path file = path.isEmpty() ? doc : (path.startsWith("/") ? root.resolve(path.substring(1))
                : doc.getParent().resolve(path)).normalize();
        if (!file.startsWith(root)) {
            return "points outside the repository";
        }
        if (!Files.exists(file)) {
            return "no such file " + root.relativize(file);
        }
        if (fragment == null || fragment.isEmpty()) {
            return null;
        }
        if (!file.toString().endsWith(".md") || Files.isDirectory(file)) {
            return fragment.matches("L\\d+(-L\\d+)?") ? null : "#" + fragment + " in a file that is not Markdown";
        }
        Set<String> anchors = anchors(file);
        String wanted = java.net.URLDecoder.decode(fragment, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        return anchors.contains(wanted) ? null : "no heading #" + fragment + " in " + root.relativize(file)
                                                 + " (its anchors: " + anchors + ")";
    }

    /** The anchors GitHub makes for a Markdown file's headings, and its HTML ids and names. */
    static Set<String> anchors(Path file) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        boolean[] code = inCode(lines);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (code[i]) {
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String s = slug(h.group(2));
                int n = seen.merge(s, 1, Integer::sum) - 1;
                out.add(n == 0 ? s : s + "-" + n);
            }
            Matcher a = HTML_ANCHOR.matcher(line);
            while (a.find()) {
                out.add(a.group(1).toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** GitHub's heading anchor: the text as rendered, lower case, without punctuation, spaces as hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // links and images: their text
                .replaceAll("<[^>]+>", "") // HTML tags
                .replace("`", "").replace("*", "");
        StringBuilder b = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '_' || c == '-') {
                b.appendCodePoint(c);
            } else if (c == ' ') {
                b.append('-');
            }
        });
        return b.toString();
    }
}
