package inventory.app.logging;

import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of CloudWatch Logs streams: one per task and start, so that two tasks (or two starts of one) never write
 * to the same stream.
 */
public final class LogStreams {

    private static final Pattern ECS_CONTAINER_ID = Pattern.compile("^([0-9a-f]{32})-[0-9]+$");
    private static final DateTimeFormatter STREAM_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss")
            .withZone(ZoneOffset.UTC);

    private LogStreams() {
    }

    /**
     * A log stream name of its own for this task: {@code inventory/<task or host>/<UTC start time>-<4 hex>}. The task
     * is the ECS task id, taken from the last segment of {@code ECS_CONTAINER_METADATA_URI_V4}; without it, the host
     * name.
     *
     * @param env    the environment
     * @param now    the start time
     * @param random for the suffix, so that two starts in the same second get two streams
     * @return the stream name
     */
    public static String forThisTask(Map<String, String> env, Instant now, RandomGenerator random) {
        String source = Optional.ofNullable(env.get("ECS_CONTAINER_METADATA_URI_V4"))
                .map(String::trim)
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                .map(u -> u.substring(u.lastIndexOf('/') + 1))
                .filter(s -> !s.isEmpty())
                .map(s -> {
                    Matcher task = ECS_CONTAINER_ID.matcher(s);
                    return task.matches() ? task.group(1) : s;
                })
                .orElseGet(() -> hostName(env));
        String name = source.replaceAll("[^A-Za-z0-9._-]", "-");
        if (name.length() > 128) {
            name = name.substring(0, 128);
        }
        String suffix = HexFormat.of().toHexDigits((short) random.nextInt(1 << 16));
        return "inventory/" + name + "/" + STREAM_TIME.format(now) + "-" + suffix;
    }

    private static String hostName(Map<String, String> env) {
        String host = env.get("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown-host";
        }
    }
}
