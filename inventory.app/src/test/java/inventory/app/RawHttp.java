package inventory.app;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A small HTTP/1.1 client on a plain socket, for what {@link java.net.http.HttpClient} refuses to send: any bytes in
 * the request line and headers, odd methods, broken framing. It writes the request on its own thread (so an answer
 * the server gives before it has read the whole body is still read), closes its side after the request, and reads
 * one answer: status line, headers, and the body by {@code Content-Length}, chunks, or to the end; of an event stream
 * only the first block. Every read is bounded by a deadline.
 */
final class RawHttp {

    private static final int MAX_BODY = 4 * 1024 * 1024;

    private RawHttp() {
    }

    /**
     * What came back.
     *
     * @param status   the status of the final answer, or -1 if the connection closed (or timed out) without one
     * @param headers  response headers, names case-insensitive
     * @param body     response body (of an event stream, the first bytes only)
     * @param timedOut true if nothing (or not all of the answer) came within the deadline
     * @param error    what ended the exchange early, or null
     * @param millis   how long the exchange took
     */
    record Answer(int status, Map<String, List<String>> headers, byte[] body, boolean timedOut, String error,
                  long millis) {

        Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
        }

        List<String> all(String name) {
            return headers.getOrDefault(name, List.of());
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean answered() {
            return status > 0;
        }
    }

    /**
     * Sends the bytes of one request and reads one answer.
     *
     * @param port         server port on localhost
     * @param request      the whole request, head and body
     * @param headRequest  whether the request is a {@code HEAD} (its answer has no body)
     * @param timeout      deadline of the whole exchange
     * @return the answer
     */
    static Answer exchange(int port, byte[] request, boolean headRequest, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < request.length; i += 64 * 1024) {
                        out.write(request, i, Math.min(64 * 1024, request.length - i));
                    }
                    out.flush();
                    socket.shutdownOutput();
                } catch (IOException e) {
                    // the server answered and closed before reading everything: its answer is still read below
                }
            });
            try {
                return read(new BufferedInputStream(socket.getInputStream()), headRequest, start, deadline);
            } finally {
                writer.interrupt();
            }
        } catch (SocketTimeoutException e) {
            return new Answer(-1, Map.of(), new byte[0], true, "timed out", millis(start));
        } catch (IOException e) {
            return new Answer(-1, Map.of(), new byte[0], false, e.toString(), millis(start));
        }
    }

    private static Answer read(InputStream in, boolean headRequest, long start, long deadline) throws IOException {
        while (true) {
            String statusLine = line(in, deadline);
            if (statusLine == null) {
                return new Answer(-1, Map.of(), new byte[0], false, "closed without an answer", millis(start));
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
                return new Answer(-1, Map.of(), new byte[0], false, "not a status line: " + statusLine, millis(start));
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            String h;
            while ((h = line(in, deadline)) != null && !h.isEmpty()) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(h.substring(0, colon).trim(), k -> new ArrayList<>())
                            .add(h.substring(colon + 1).trim());
                }
            }
            if (status >= 100 && status < 200) {
                continue; // 100 Continue: the final answer follows
            }
            byte[] body;
            String type = headers.getOrDefault("Content-Type", List.of("")).getFirst();
            boolean chunked = headers.getOrDefault("Transfer-Encoding", List.of()).stream()
                    .anyMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("chunked"));
            List<String> length = headers.getOrDefault("Content-Length", List.of());
            if (headRequest || status == 204 || status == 304) {
                body = new byte[0];
            } else if (type.startsWith("text/event-stream")) {
                body = firstEventBlock(in, deadline);
            } else if (chunked) {
                body = chunks(in, deadline);
            } else if (!length.isEmpty()) {
                body = exactly(in, Integer.parseInt(length.getFirst()), deadline);
            } else {
                body = toEnd(in, deadline);
            }
            return new Answer(status, headers, body, false, null, millis(start));
        }
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void check(long deadline) throws SocketTimeoutException {
        if (System.nanoTime() > deadline) {
            throw new SocketTimeoutException("deadline");
        }
    }

    /** A CRLF-terminated line (Latin-1), or null at the end of the stream before any byte. */
    private static String line(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            if (line.size() > 64 * 1024) {
                throw new IOException("line too long");
            }
            check(deadline);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] exactly(InputStream in, int n, long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (out.size() < Math.min(n, MAX_BODY)) {
            int r = in.read(buffer, 0, Math.min(buffer.length, n - out.size()));
            if (r < 0) {
                throw new IOException("closed after " + out.size() + " of " + n + " body bytes");
            }
            out.write(buffer, 0, r);
            check(deadline);
        }
        return out.toByteArray();
    }

    private static byte[] chunks(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in, deadline);
            if (size == null) {
                throw new IOException("closed inside a chunked body");
            }
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                String trailer;
                while ((trailer = line(in, deadline)) != null && !trailer.isEmpty()) {
                    // trailers are ignored
                }
                return out.toByteArray();
            }
            out.write(exactly(in, n, deadline));
            line(in, deadline);
            if (out.size() > MAX_BODY) {
                return out.toByteArray();
            }
        }
    }

    private static byte[] toEnd(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int r;
        while (out.size() < MAX_BODY && (r = in.read(buffer)) != -1) {
            out.write(buffer, 0, r);
            check(deadline);
        }
        return out.toByteArray();
    }

    /** Of an event stream, the bytes up to the first blank line (the stream itself never ends). */
    private static byte[] firstEventBlock(InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            out.write(b);
            String text = out.toString(StandardCharsets.UTF_8);
            if (text.contains("\n\n") || out.size() > 64 * 1024) {
                break;
            }
            check(deadline);
        }
        return out.toByteArray();
    }
}
