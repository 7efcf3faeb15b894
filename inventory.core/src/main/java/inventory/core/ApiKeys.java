package inventory.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * API keys: creation (the secret is shown once and only its SHA-256 is stored), listing, revocation, and checking
 * a bearer token on every request without a database round trip.
 * <p>
 * A key reads {@code inv_<32 hex digits of its id>_<43 characters: 256 random bits, base64url>}. The id finds the
 * stored hash; the secret's hash is compared in constant time. Each instance holds every working key in memory
 * and reloads them all (one query) when its copy is older than {@link #CACHE_TTL}, so a request never waits for
 * the database and a revocation reaches every instance within that time (at once on the instance that revoked).
 * A key id the copy does not know (made on another instance a moment ago) is looked up, but at most
 * {@link #MISS_LOOKUPS_PER_SECOND} times a second, so a flood of made-up keys cannot turn into database load.
 * A fast hash is right here: the secrets have 256 bits of entropy, so there is nothing to guess, only to compare.
 */
public final class ApiKeys {

    /** How long a checked key is trusted without looking again. */
    public static final Duration CACHE_TTL = Duration.ofSeconds(2);
    /** The caller id of the key from {@code INVENTORY_ADMIN_KEY}. */
    public static final String ENV_ADMIN = "env-admin";

    /** Lookups of unknown key ids per second, per instance. */
    public static final int MISS_LOOKUPS_PER_SECOND = 20;
    private static final Pattern TOKEN = Pattern.compile("^inv_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<Scope> ADMIN_ONLY = EnumSet.of(Scope.ADMIN);

    private final ApiKeyRepository keys;
    private final UuidV7 ids;
    private final Clock clock;
    private final byte[] envAdminHash;
    private final LongSupplier nanoTime;
    private final RateLimiter misses;
    private final Object reloading = new Object();
    private volatile Snapshot snapshot = new Snapshot(new ConcurrentHashMap<>(), Long.MIN_VALUE);

    /**
     * @param keys        stored keys
     * @param ids         id generator
     * @param clock       clock
     * @param envAdminKey the key from {@code INVENTORY_ADMIN_KEY}, if set
     * @param nanoTime    monotonic clock for the cache
     */
    public ApiKeys(ApiKeyRepository keys, UuidV7 ids, Clock clock, Optional<String> envAdminKey, LongSupplier nanoTime) {
        this.keys = keys;
        this.ids = ids;
        this.clock = clock;
        this.envAdminHash = envAdminKey.map(k -> sha256(k.getBytes(StandardCharsets.UTF_8))).orElse(null);
        this.nanoTime = nanoTime;
        this.misses = new RateLimiter(MISS_LOOKUPS_PER_SECOND, nanoTime);
    }

    /**
     * Who is calling.
     *
     * @param caller the key's id (idempotency keys and rate limits are scoped to it)
     * @param scopes what it may do
     */
    public record Principal(String caller, Set<Scope> scopes) {
        /**
         * @param needed the scope a call needs
         * @return whether this caller has it
         */
        public boolean may(Scope needed) {
            return scopes.stream().anyMatch(s -> s.allows(needed));
        }
    }

    /**
     * A new key and its secret, which is never shown again.
     *
     * @param key    the key
     * @param secret the bearer token
     */
    public record Created(ApiKey key, String secret) {
    }

    /**
     * Makes the bootstrap admin key when {@code INVENTORY_ADMIN_KEY} is not set and none was made before (one per
     * database, however many instances start at once).
     *
     * @return the new key's secret, to be printed once; empty if there was nothing to make
     */
    public Optional<String> bootstrap() {
        if (envAdminHash != null) {
            return Optional.empty();
        }
        Secret s = newSecret();
        ApiKey key = new ApiKey(s.id(), "bootstrap admin", ADMIN_ONLY, ProductService.now(clock), null);
        return keys.create(key, sha256(s.secret()), true) ? Optional.of(s.token()) : Optional.empty();
    }

    /**
     * @param name   what the key is for, 1 to 100 characters
     * @param scopes its scopes, at least one
     * @return the key and its secret
     */
    public Created create(String name, Set<Scope> scopes) {
        Secret s = newSecret();
        ApiKey key = new ApiKey(s.id(), name, scopes, ProductService.now(clock), null);
        keys.create(key, sha256(s.secret()), false);
        return new Created(key, s.token());
    }

    /**
     * @return every key, without secrets
     */
    public List<ApiKey> list() {
        return keys.list();
    }

    /**
     * Revokes a key: on this instance at once, on others within {@link #CACHE_TTL}.
     *
     * @param id key id
     */
    public void revoke(UUID id) {
        if (!keys.revoke(id)) {
            throw new InventoryException.NotFound("no API key with id " + id);
        }
        snapshot.keys().remove(id);
    }

    /**
     * Checks a bearer token.
     *
     * @param token the token, as sent
     * @return who it is, or empty for an unknown, malformed or revoked key
     */
    public Optional<Principal> authenticate(String token) {
        byte[] hash = sha256(token.getBytes(StandardCharsets.UTF_8));
        if (envAdminHash != null && MessageDigest.isEqual(hash, envAdminHash)) {
            return Optional.of(new Principal(ENV_ADMIN, ADMIN_ONLY));
        }
        var m = TOKEN.matcher(token);
        if (!m.matches()) {
            return Optional.empty();
        }
        UUID id = UuidV7.parse(hex(m.group(1))).orElse(null);
        byte[] secret;
        try {
            secret = Base64.getUrlDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (id == null) {
            return Optional.empty();
        }
        Cached c = current().keys().get(id);
        if (c == null && misses.acquire("") == 0) {
            c = keys.find(id).filter(s -> s.key().revokedAt() == null).map(ApiKeys::cached).orElse(null);
            if (c != null) {
                snapshot.keys().put(id, c);
            }
        }
        if (c == null || !MessageDigest.isEqual(sha256(secret), c.hash())) {
            return Optional.empty();
        }
        return Optional.of(c.principal());
    }

    /** The working keys, reloaded by one caller when older than {@link #CACHE_TTL}; the others use the old copy. */
    private Snapshot current() {
        Snapshot s = snapshot;
        long now = nanoTime.getAsLong();
        if (s.loadedAt() != Long.MIN_VALUE && now - s.loadedAt() < CACHE_TTL.toNanos()) {
            return s;
        }
        synchronized (reloading) {
            if (snapshot != s) {
                return snapshot;
            }
            ConcurrentHashMap<UUID, Cached> all = new ConcurrentHashMap<>();
            try {
                keys.active().forEach(k -> all.put(k.key().id(), cached(k)));
            } catch (RuntimeException e) {
                if (s.loadedAt() == Long.MIN_VALUE) {
                    throw e;
                }
                // the database is away: keep the last copy (the request fails on its own database work anyway)
                // and try again after CACHE_TTL rather than on every request
                snapshot = new Snapshot(s.keys(), now);
                return snapshot;
            }
            snapshot = new Snapshot(all, now);
            return snapshot;
        }
    }

    private static Cached cached(ApiKeyRepository.Stored s) {
        return new Cached(s.secretHash(), new Principal(s.key().id().toString(), s.key().scopes()));
    }

    private record Cached(byte[] hash, Principal principal) {
    }

    private record Snapshot(ConcurrentHashMap<UUID, Cached> keys, long loadedAt) {
    }

    private record Secret(UUID id, byte[] secret, String token) {
    }

    private Secret newSecret() {
        UUID id = ids.next();
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = "inv_" + id.toString().replace("-", "") + "_"
                       + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new Secret(id, secret, token);
    }

    private static String hex(String h) {
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-"
               + h.substring(20);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
