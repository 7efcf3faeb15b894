package inventory.app;

import java.util.List;
import java.util.regex.Pattern;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The contract's error shape (RFC 9457), checked the same way by every API test: media type, every field, the type
 * URN derived from the code, the instance being the request path, the request id matching the header, and no
 * internals (class names, SQL, stack traces) in the body.
 */
final class ProblemAssertions {

    /** Timestamps: RFC 3339 in UTC with milliseconds. */
    static final Pattern TIMESTAMP = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$");
    /** What a request id must look like (the incoming one, or a generated one). */
    static final Pattern REQUEST_ID = Pattern.compile("^[A-Za-z0-9._-]{1,128}$");

    private static final List<String> LEAKS = List.of("Exception", "java.", "SQL", "org.postgresql", "\tat ",
            "at inventory.", "at io.helidon", "Caused by");

    private ProblemAssertions() {
    }

    /**
     * Checks a problem answer and returns its body.
     *
     * @param r      the answer
     * @param status expected HTTP status
     * @param code   expected problem code
     * @param path   the request path (without query), expected as {@code instance}
     * @return the problem
     */
    static JsonObject assertProblem(TestServer.Response r, int status, String code, String path) {
        JsonObject p = assertProblemShape(r, status, code, path);
        String requestId = r.header("X-Request-Id").orElseThrow(() -> new AssertionError("no X-Request-Id: " + r));
        assertThat(r.body(), p.getString("requestId"), is(requestId));
        return p;
    }

    /**
     * Like {@link #assertProblem} but without comparing {@code requestId} with the header: a replayed answer is
     * the stored one, byte for byte, so it carries the first request's id.
     */
    static JsonObject assertProblemShape(TestServer.Response r, int status, String code, String path) {
        assertThat(r.body(), r.status(), is(status));
        assertThat(r.body(), r.header("Content-Type").orElse(""), startsWith("application/problem+json"));
        assertNoInternals(r.body());
        JsonObject p = r.json();
        for (String field : List.of("type", "title", "detail", "code", "instance", "requestId")) {
            assertThat(r.body() + " lacks " + field, p.containsKey(field), is(true));
            assertThat(r.body() + ": " + field, p.get(field).getValueType(), is(JsonValue.ValueType.STRING));
        }
        assertThat(r.body(), p.getString("code"), is(code));
        assertThat(r.body(), p.getString("type"), is("urn:inventory:problem:" + code));
        assertThat(r.body(), p.getInt("status"), is(status));
        assertThat(r.body(), p.getString("instance"), is(path));
        assertThat(r.body(), p.getString("title").isBlank(), is(false));
        assertThat(r.body(), p.getString("detail").isBlank(), is(false));
        assertThat(r.body(), REQUEST_ID.matcher(p.getString("requestId")).matches(), is(true));
        return p;
    }

    /**
     * A {@code 400 validation-failed} problem; returns the fields its {@code errors} name, in order.
     */
    static List<String> assertValidation(TestServer.Response r, String path) {
        JsonObject p = assertProblem(r, 400, "validation-failed", path);
        assertThat(r.body(), p.containsKey("errors"), is(true));
        List<String> fields = p.getJsonArray("errors").stream().map(JsonValue::asJsonObject).map(e -> {
            assertThat(r.body(), e.get("message") instanceof JsonString m && !m.getString().isBlank(), is(true));
            return e.getString("field");
        }).toList();
        assertThat(r.body(), fields.isEmpty(), is(false));
        return fields;
    }

    static void assertNoInternals(String body) {
        for (String leak : LEAKS) {
            assertThat(body, not(containsString(leak)));
        }
    }
}
