package inventory.core;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Time-ordered UUIDs (RFC 9562 version 7). Within one process the ids are strictly increasing, also within the
 * same millisecond (the 12 bits after the timestamp count up), so keyset paging by id is paging by creation.
 */
public final class UuidV7 {

    private final SecureRandom random = new SecureRandom();
    private final ReentrantLock lock = new ReentrantLock();
    private long lastMillis;
    private int counter;

    /**
     * @return a new id, greater than every id this generator returned before
     */
    public UUID next() {
        long millis;
        int seq;
        lock.lock();
        try {
            millis = System.currentTimeMillis();
            if (millis > lastMillis) {
                lastMillis = millis;
                counter = random.nextInt(1 << 10);
            } else {
                counter++;
                if (counter >= 1 << 12) {
                    lastMillis++;
                    counter = 0;
                }
                millis = lastMillis;
            }
            seq = counter;
        } finally {
            lock.unlock();
        }
        long msb = (millis << 16) | (0x7L << 12) | seq;
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    /**
     * Parses a path id; anything that is not a UUID is no id of ours.
     *
     * @param text path segment
     * @return the id, or empty
     */
    public static java.util.Optional<UUID> parse(String text) {
        if (text == null || text.length() != 36) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }
}
