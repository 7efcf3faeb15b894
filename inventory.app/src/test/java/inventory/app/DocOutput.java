package inventory.app;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@link DocExamplesTest} compares what a document shows with what the service answered: status line, the
 * headers the document lists, and the body (JSON compared as values, other text line by line), with {@code …} as a
 * wildcard and what differs between runs (ids, times, request ids, ports, keys) masked on both sides.
 */
final class DocOutput {

    private DocOutput() {
    }

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    private static final Pattern REQUEST_ID = Pattern.compile("\\b[0-9a-f]{24}\\b");
    private static final Pattern PORT = Pattern.compile("localhost:\\d+");

    /** Replaces what legitimately differs between runs by a placeholder. */
    static String mask(String s) {
        s = DocExamplesTest.BOOTSTRAP_KEY.matcher(s).replaceAll("<api-key>");
        s = UUID_TEXT.matcher(s).replaceAll("<uuid>");
        s = TIMESTAMP.matcher(s).replaceAll("<time>");
        s = REQUEST_ID.matcher(s).replaceAll("<request-id>");
        return PORT.matcher(s).replaceAll("localhost:<port>");
    }

    /** Null if {@code actual} is what the doc shows as {@code expected}, else the first difference. */
    static String compare(String expected, String actual) {
        expected = expected.replace("\r", "").strip();
        actual = actual.replace("\r", "").strip();
        if (!expected.startsWith("HTTP/")) {
            return compareBody(expected, actual);
        }
        if (!actual.startsWith("HTTP/")) {
            return "expected an HTTP response (status line and headers), got none";
        }
        String[] e = splitHead(expected);
        String[] a = splitHead(actual);
        List<String> eHead = e[0].lines().toList();
        List<String> aHead = a[0].lines().toList();
        if (!eHead.getFirst().strip().equals(aHead.getFirst().strip())) {
            return "status line: expected '" + eHead.getFirst().strip() + "', got '" + aHead.getFirst().strip() + "'";
        }
        for (String h : eHead.subList(1, eHead.size())) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                return "the doc's header line '" + h + "' has no ':'";
            }
            String name = h.substring(0, colon).strip();
            String value = h.substring(colon + 1).strip();
            List<String> found = aHead.stream().skip(1)
                    .filter(x -> x.indexOf(':') > 0 && x.substring(0, x.indexOf(':')).strip().equalsIgnoreCase(name))
                    .map(x -> x.substring(x.indexOf(':') + 1).strip()).toList();
            if (found.isEmpty()) {
                return "header " + name + ": missing (expected '" + value + "')";
            }
            if (found.stream().noneMatch(v -> textMatches(value, v))) {
                return "header " + name + ": expected '" + value + "', got '" + String.join("', '", found) + "'";
            }
        }
        return e[1].isBlank() ? null : compareBody(e[1].strip(), a[1].strip());
    }

    private static String[] splitHead(String response) {
        int blank = response.indexOf("\n\n");
        return blank < 0 ? new String[] {response, ""} : new String[] {response.substring(0, blank),
                response.substring(blank + 2)};
    }

    private static String compareBody(String expected, String actual) {
        if ((expected.startsWith("{") || expected.startsWith("[")) && !expected.contains("\n")) {
            Object e;
            try {
                e = new Json(expected, true).parseAll();
            } catch (IllegalArgumentException ex) {
                return "the doc's JSON does not parse: " + ex.getMessage();
            }
            Object a;
            try {
                a = new Json(actual, false).parseAll();
            } catch (IllegalArgumentException ex) {
                return "the output is not the JSON the doc shows (" + ex.getMessage() + ")";
            }
            return compareJson("$", e, a, null);
        }
        return textMatches(expected, actual) ? null : "the output does not match the doc's text";
    }

    /** Text with masks, where {@code …} matches anything on a line and a line of only {@code …} any lines. */
    static boolean textMatches(String expected, String actual) {
        List<String> e = List.of(mask(expected).split("\n", -1));
        List<String> a = List.of(mask(actual).split("\n", -1));
        // reachable[j]: the expected lines so far can match the first j actual lines
        boolean[] reachable = new boolean[a.size() + 1];
        reachable[0] = true;
        for (String line : e) {
            boolean[] next = new boolean[a.size() + 1];
            if (line.strip().equals("…")) {
                boolean any = false;
                for (int j = 0; j <= a.size(); j++) {
                    any |= reachable[j];
                    next[j] = any;
                }
            } else {
                Pattern p = linePattern(line);
                for (int j = 0; j < a.size(); j++) {
                    next[j + 1] = reachable[j] && p.matcher(a.get(j)).matches();
                }
            }
            reachable = next;
        }
        return reachable[a.size()];
    }

    private static Pattern linePattern(String line) {
        StringBuilder regex = new StringBuilder();
        String[] parts = line.split("\\s*…\\s*", -1); // the spaces around … are for the reader
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(regex.toString());
    }

    /** The wildcard {@code …} of the doc's JSON. */
    private static final Object ANY = new Object() {
        @Override
        public String toString() {
            return "…";
        }
    };

    /** A JSON object; {@code open} if the doc wrote {@code …} for fields it leaves out. */
    record JObject(Map<String, Object> fields, boolean open) {
    }

    /** {@code true}, {@code false} or {@code null}. */
    record JLiteral(String text) {
    }

    /** A JSON number, as written. */
    record JNumber(String text) {
    }

    private static String compareJson(String path, Object e, Object a, String key) {
        if (e == ANY) {
            return null;
        }
        if (e instanceof JObject eo) {
            if (!(a instanceof JObject ao)) {
                return path + ": expected an object, got " + show(a);
            }
            for (Map.Entry<String, Object> f : eo.fields().entrySet()) {
                if (!ao.fields().containsKey(f.getKey())) {
                    return path + "." + f.getKey() + ": missing";
                }
                String d = compareJson(path + "." + f.getKey(), f.getValue(), ao.fields().get(f.getKey()), f.getKey());
                if (d != null) {
                    return d;
                }
            }
            if (!eo.open()) {
                List<String> extra = ao.fields().keySet().stream().filter(k -> !eo.fields().containsKey(k)).toList();
                if (!extra.isEmpty()) {
                    return path + ": fields the doc does not show: " + extra + " (write … in the object to leave "
                           + "fields out)";
                }
            }
            return null;
        }
        if (e instanceof List<?> el) {
            if (!(a instanceof List<?> al)) {
                return path + ": expected an array, got " + show(a);
            }
            if (!el.contains(ANY)) {
                if (el.size() != al.size()) {
                    return path + ": expected " + el.size() + " item(s), got " + al.size();
                }
                for (int i = 0; i < el.size(); i++) {
                    String d = compareJson(path + "[" + i + "]", el.get(i), al.get(i), null);
                    if (d != null) {
                        return d;
                    }
                }
                return null;
            }
            return arrayMatches(path, el, 0, al, 0) ? null
                    : path + ": the items do not match the doc's (… stands for any number of items)";
        }
        if (e instanceof String es) {
            if (!(a instanceof String as)) {
                return path + ": expected \"" + es + "\", got " + show(a);
            }
            if ("nextCursor".equals(key) || mask(es).equals(mask(as))) {
                return null;
            }
            return path + ": expected \"" + es + "\", got \"" + as + "\"";
        }
        if (e instanceof JNumber en) {
            if (a instanceof JNumber an && new BigDecimal(en.text()).compareTo(new BigDecimal(an.text())) == 0) {
                return null;
            }
            return path + ": expected " + en.text() + ", got " + show(a);
        }
        return e.equals(a) ? null : path + ": expected " + show(e) + ", got " + show(a);
    }

    private static boolean arrayMatches(String path, List<?> e, int ei, List<?> a, int ai) {
        if (ei == e.size()) {
            return ai == a.size();
        }
        if (e.get(ei) == ANY) {
            for (int k = ai; k <= a.size(); k++) {
                if (arrayMatches(path, e, ei + 1, a, k)) {
                    return true;
                }
            }
            return false;
        }
        return ai < a.size() && compareJson(path, e.get(ei), a.get(ai), null) == null
               && arrayMatches(path, e, ei + 1, a, ai + 1);
    }

    private static String show(Object v) {
        if (v instanceof String s) {
            return "\"" + s + "\"";
        }
        if (v instanceof JNumber n) {
            return n.text();
        }
        if (v instanceof JObject) {
            return "an object";
        }
        if (v instanceof List<?>) {
            return "an array";
        }
        return String.valueOf(v);
    }

    /** A small JSON parser that, for the doc's side, also reads {@code …} as a wildcard. */
    private static final class Json {
        private final String s;
        private final boolean wildcards;
        private int i;

        Json(String s, boolean wildcards) {
            this.s = s;
            this.wildcards = wildcards;
        }

        Object parseAll() {
            Object v = value();
            ws();
            if (i != s.length()) {
                throw error("text after the JSON value");
            }
            return v;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at character " + i + ": "
                                                + s.substring(Math.max(0, i - 20), Math.min(s.length(), i + 20)));
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean wildcard() {
            ws();
            if (wildcards && i < s.length() && s.charAt(i) == '…') {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            ws();
            if (i >= s.length() || s.charAt(i) != c) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        private boolean peek(char c) {
            ws();
            return i < s.length() && s.charAt(i) == c;
        }

        private Object value() {
            if (wildcard()) {
                return ANY;
            }
            ws();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> fields = new LinkedHashMap<>();
                boolean open = false;
                if (peek('}')) {
                    i++;
                    return new JObject(fields, false);
                }
                do {
                    if (wildcard()) {
                        open = true;
                        continue;
                    }
                    ws();
                    String k = string();
                    expect(':');
                    if (fields.put(k, value()) != null) {
                        throw error("field " + k + " twice");
                    }
                } while (next(','));
                expect('}');
                return new JObject(fields, open);
            }
            if (c == '[') {
                i++;
                List<Object> items = new ArrayList<>();
                if (peek(']')) {
                    i++;
                    return items;
                }
                do {
                    items.add(value());
                } while (next(','));
                expect(']');
                return items;
            }
            if (c == '"') {
                return string();
            }
            Matcher m = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?").matcher(s).region(i, s.length());
            if (m.lookingAt()) {
                i = m.end();
                return new JNumber(m.group());
            }
            for (String lit : List.of("true", "false", "null")) {
                if (s.startsWith(lit, i)) {
                    i += lit.length();
                    return new JLiteral(lit);
                }
            }
            throw error("not a JSON value");
        }

        private boolean next(char c) {
            if (peek(c)) {
                i++;
                return true;
            }
            return false;
        }

        private String string() {
            if (i >= s.length() || s.charAt(i) != '"') {
                throw error("expected a string");
            }
            i++;
            StringBuilder b = new StringBuilder();
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\') {
                    char x = s.charAt(i++);
                    switch (x) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(x);
                    }
                } else {
                    b.append(c);
                }
            }
            throw error("unterminated string");
        }
    }
}
