package inventory.web;

import java.util.Map;

/**
 * A refusal of the HTTP layer itself (media type, size, JSON syntax, method, path), answered as a problem.
 */
final class HttpProblem extends RuntimeException {

    private final String code;
    private final Map<String, String> headers;

    HttpProblem(String code, String detail) {
        this(code, detail, Map.of());
    }

    HttpProblem(String code, String detail, Map<String, String> headers) {
        super(detail, null, false, false);
        this.code = code;
        this.headers = headers;
    }

    String code() {
        return code;
    }

    Map<String, String> headers() {
        return headers;
    }
}
