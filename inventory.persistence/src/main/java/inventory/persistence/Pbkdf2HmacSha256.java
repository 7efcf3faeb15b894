package inventory.persistence;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.Provider;
import java.security.Security;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.util.Arrays;

import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactorySpi;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * PBKDF2 with HMAC-SHA-256 (RFC 8018 section 5.2, HMAC of RFC 2104, SHA-256 of FIPS 180-4): the key derivation of a
 * SCRAM-SHA-256 login, offered by a JCA provider placed first so that the PostgreSQL driver's SCRAM client, which
 * asks {@code SecretKeyFactory} for {@value #ALGORITHM}, uses it.
 *
 * <p>Why: a login derives its key with 4,096 HMAC rounds, and the first login of a start runs on a cold JVM. The
 * JDK's own implementation goes through its digest framework ({@code HmacCore}, {@code DigestBase}, {@code SHA2}
 * with {@code VarHandle} reads), which the JIT compiled at C1 and then C2, with on-stack replacement and a
 * recompilation, before the loop ran fast: 180-190 ms of CPU and about 100 ms for one derivation in a fresh JVM,
 * against 20-30 ms and 15 ms for this one (same result), whose rounds are one small method on {@code int}s that C1
 * compiles after a few dozen calls. It also hashes each HMAC's padded key once, not in every round (two SHA-256
 * blocks a round instead of four). In a start against a database that asks for a password, the login took a fifth
 * of the CPU before the service was ready and was on the longest path.
 *
 * <p>Only this one algorithm is offered; everything else still comes from the JDK's providers. The result is
 * checked against the JDK's {@code PBKDF2WithHmacSHA256} and RFC 7914's vectors (Pbkdf2HmacSha256Test).
 */
final class Pbkdf2HmacSha256 extends SecretKeyFactorySpi {

    /** The algorithm's JCA name. */
    static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    /** The provider's name. */
    static final String PROVIDER = "InventoryPbkdf2";

    private static final int BLOCK = 64;
    private static final int[] ROUND = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    private static final int[] INITIAL = {
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

    /** Places the provider first, once per JVM; later calls change nothing. */
    static void install() {
        synchronized (Pbkdf2HmacSha256.class) {
            if (Security.getProvider(PROVIDER) == null) {
                Security.insertProviderAt(new OneAlgorithm(), 1);
            }
        }
    }

    /** The provider: this one algorithm, instantiated directly (no reflection into this module). */
    private static final class OneAlgorithm extends Provider {
        private static final long serialVersionUID = 1L;

        OneAlgorithm() {
            super(PROVIDER, "1", ALGORITHM + " for SCRAM-SHA-256 logins, quick to compile on a cold JVM");
            putService(new Service(this, "SecretKeyFactory", ALGORITHM, Pbkdf2HmacSha256.class.getName(), null,
                    null) {
                @Override
                public Object newInstance(Object parameter) {
                    return new Pbkdf2HmacSha256();
                }
            });
        }
    }

    /**
     * Derives the key a {@link PBEKeySpec} asks for. As the JDK's implementation does, the password's characters
     * are encoded as UTF-8 (a lone surrogate as {@code ?}) and the key length in bits is rounded down to whole bytes.
     */
    @Override
    protected SecretKey engineGenerateSecret(KeySpec spec) throws InvalidKeySpecException {
        if (!(spec instanceof PBEKeySpec pbe)) {
            throw new InvalidKeySpecException("a PBEKeySpec is needed");
        }
        byte[] salt = pbe.getSalt();
        if (salt == null) {
            throw new InvalidKeySpecException("the salt is missing");
        }
        if (pbe.getIterationCount() <= 0) {
            throw new InvalidKeySpecException("the iteration count must be positive");
        }
        if (pbe.getKeyLength() < 8) {
            throw new InvalidKeySpecException("the key length must be at least 8 bits");
        }
        char[] chars = pbe.getPassword();
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
        byte[] password = new byte[encoded.remaining()];
        encoded.get(password);
        Arrays.fill(chars, '\0');
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        try {
            byte[] key = derive(password, salt, pbe.getIterationCount(), pbe.getKeyLength() / 8);
            try {
                return new SecretKeySpec(key, ALGORITHM);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    @Override
    protected KeySpec engineGetKeySpec(SecretKey key, Class<?> keySpec) throws InvalidKeySpecException {
        throw new InvalidKeySpecException("key specifications are not offered; use getEncoded()");
    }

    @Override
    protected SecretKey engineTranslateKey(SecretKey key) throws InvalidKeyException {
        throw new InvalidKeyException("keys are not translated");
    }

    /**
     * PBKDF2-HMAC-SHA-256.
     *
     * @param password   the password's bytes
     * @param salt       the salt
     * @param iterations the iteration count, at least 1
     * @param length     the key's length in bytes, at least 1
     * @return the derived key
     */
    static byte[] derive(byte[] password, byte[] salt, int iterations, int length) {
        byte[] key = password.length > BLOCK ? bytes(hash(INITIAL, 0, password)) : password;
        // the states after the padded key's block, hashed once for every HMAC below
        int[] inner = padded(key, 0x36);
        int[] outer = padded(key, 0x5c);
        byte[] derived = new byte[length];
        byte[] first = Arrays.copyOf(salt, salt.length + 4);
        int[] words = new int[64];
        int[] u = new int[8];
        int[] state = new int[8];
        int[] sum = new int[8];
        try {
            for (int block = 1, offset = 0; offset < length; block++, offset += 32) {
                first[salt.length] = (byte) (block >>> 24);
                first[salt.length + 1] = (byte) (block >>> 16);
                first[salt.length + 2] = (byte) (block >>> 8);
                first[salt.length + 3] = (byte) block;
                int[] innerHash = hash(inner, BLOCK, first);
                hmacOfHash(outer, innerHash, u, words);
                System.arraycopy(u, 0, sum, 0, 8);
                for (int i = 1; i < iterations; i++) {
                    // U(i) = HMAC(U(i-1)): the inner hash of the 32-byte U, then the outer of that
                    System.arraycopy(inner, 0, state, 0, 8);
                    message(u, words);
                    compress(state, words);
                    hmacOfHash(outer, state, u, words);
                    for (int j = 0; j < 8; j++) {
                        sum[j] ^= u[j];
                    }
                }
                byte[] t = bytes(sum);
                System.arraycopy(t, 0, derived, offset, Math.min(32, length - offset));
                Arrays.fill(t, (byte) 0);
            }
            return derived;
        } finally {
            Arrays.fill(inner, 0);
            Arrays.fill(outer, 0);
            Arrays.fill(words, 0);
            Arrays.fill(u, 0);
            Arrays.fill(state, 0);
            Arrays.fill(sum, 0);
            Arrays.fill(first, (byte) 0);
            if (key != password) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    /** The outer hash of an HMAC: {@code out} = SHA-256 continued from {@code outer} over the 32-byte hash. */
    private static void hmacOfHash(int[] outer, int[] innerHash, int[] out, int[] words) {
        message(innerHash, words);
        System.arraycopy(outer, 0, out, 0, 8);
        compress(out, words);
    }

    /** Fills {@code words} with one padded block holding the 8 words of a hash, after a 64-byte block. */
    private static void message(int[] hash, int[] words) {
        System.arraycopy(hash, 0, words, 0, 8);
        words[8] = 0x80000000;
        Arrays.fill(words, 9, 15, 0);
        words[15] = (BLOCK + 32) * 8;
    }

    /** The SHA-256 state after one block of the key (padded with zeros to 64 bytes) XORed with {@code pad}. */
    private static int[] padded(byte[] key, int pad) {
        byte[] block = Arrays.copyOf(key, BLOCK);
        for (int i = 0; i < BLOCK; i++) {
            block[i] ^= (byte) pad;
        }
        int[] state = INITIAL.clone();
        int[] words = new int[64];
        load(block, 0, words);
        compress(state, words);
        Arrays.fill(block, (byte) 0);
        Arrays.fill(words, 0);
        return state;
    }

    /**
     * SHA-256 continued from {@code state} (not changed) over {@code message}, as if {@code before} bytes had been
     * hashed already, with the final padding.
     */
    private static int[] hash(int[] state, long before, byte[] message) {
        long bits = (before + message.length) * 8;
        byte[] padded = Arrays.copyOf(message, (message.length + 9 + BLOCK - 1) / BLOCK * BLOCK);
        padded[message.length] = (byte) 0x80;
        for (int i = 0; i < 8; i++) {
            padded[padded.length - 1 - i] = (byte) (bits >>> (8 * i));
        }
        int[] h = state.clone();
        int[] words = new int[64];
        for (int offset = 0; offset < padded.length; offset += BLOCK) {
            load(padded, offset, words);
            compress(h, words);
        }
        Arrays.fill(padded, (byte) 0);
        Arrays.fill(words, 0);
        return h;
    }

    private static void load(byte[] block, int offset, int[] words) {
        for (int i = 0; i < 16; i++) {
            int at = offset + 4 * i;
            words[i] = (block[at] & 0xff) << 24 | (block[at + 1] & 0xff) << 16 | (block[at + 2] & 0xff) << 8
                       | (block[at + 3] & 0xff);
        }
    }

    private static byte[] bytes(int[] words) {
        byte[] out = new byte[words.length * 4];
        for (int i = 0; i < words.length; i++) {
            out[4 * i] = (byte) (words[i] >>> 24);
            out[4 * i + 1] = (byte) (words[i] >>> 16);
            out[4 * i + 2] = (byte) (words[i] >>> 8);
            out[4 * i + 3] = (byte) words[i];
        }
        return out;
    }

    /** The SHA-256 compression of the block in {@code words[0..15]} ({@code words} has room for 64) into {@code h}. */
    private static void compress(int[] h, int[] words) {
        for (int t = 16; t < 64; t++) {
            int x = words[t - 15];
            int y = words[t - 2];
            words[t] = words[t - 16] + (Integer.rotateRight(x, 7) ^ Integer.rotateRight(x, 18) ^ x >>> 3)
                       + words[t - 7] + (Integer.rotateRight(y, 17) ^ Integer.rotateRight(y, 19) ^ y >>> 10);
        }
        int a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
        for (int t = 0; t < 64; t++) {
            int t1 = k + (Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25))
                     + (e & f ^ ~e & g) + ROUND[t] + words[t];
            int t2 = (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22))
                     + (a & b ^ a & c ^ b & c);
            k = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += k;
    }
}
