package inventory.persistence;

import java.nio.charset.StandardCharsets;
import java.security.Security;
import java.security.spec.InvalidKeySpecException;
import java.util.HexFormat;
import java.util.SplittableRandom;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The derivation a SCRAM-SHA-256 login uses must give exactly what the JDK's gives, or no login with a password
 * would succeed: RFC 7914's vectors, and the JDK's own implementation over passwords, salts, iteration counts and
 * key lengths that cross SHA-256's block and padding boundaries.
 */
class Pbkdf2HmacSha256Test {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc7914Vectors() {
        assertEquals("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                     + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
                HEX.formatHex(Pbkdf2HmacSha256.derive(ascii("passwd"), ascii("salt"), 1, 64)));
        assertEquals("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                     + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
                HEX.formatHex(Pbkdf2HmacSha256.derive(ascii("Password"), ascii("NaCl"), 80000, 64)));
    }

    @Test
    void sameAsTheJdkOverBoundaries() throws Exception {
        SecretKeyFactory jdk = SecretKeyFactory.getInstance(Pbkdf2HmacSha256.ALGORITHM, "SunJCE");
        SecretKeyFactory ours = new Pbkdf2HmacSha256Factory();
        SplittableRandom random = new SplittableRandom(7914);
        // password lengths around the 64-byte HMAC block (longer keys are hashed first), salts around the 55/56
        // bytes where SHA-256's padding needs a second block, key lengths of one, two and three blocks
        int[] passwordLengths = {0, 1, 31, 32, 63, 64, 65, 100, 200};
        int[] saltLengths = {1, 16, 51, 52, 55, 56, 60, 64, 120};
        int[] keyBits = {8, 12, 160, 256, 264, 512, 520, 1000};
        int checked = 0;
        for (int p : passwordLengths) {
            for (int s : saltLengths) {
                char[] password = text(random, p);
                byte[] salt = new byte[s];
                random.nextBytes(salt);
                int iterations = 1 + random.nextInt(40);
                int bits = keyBits[random.nextInt(keyBits.length)];
                var spec = new PBEKeySpec(password, salt, iterations, bits);
                assertArrayEquals(jdk.generateSecret(spec).getEncoded(), ours.generateSecret(spec).getEncoded(),
                        () -> "password of " + p + " chars, salt of " + s + " bytes, " + iterations + " rounds, "
                              + bits + " bits");
                checked++;
            }
        }
        assertEquals(passwordLengths.length * saltLengths.length, checked);
        // a login's own parameters, with a password that is not ASCII and one with a lone surrogate
        for (String password : new String[] {"bench", "pässwörd-漢字-\uD83D\uDE00", "x\uD800y"}) {
            var spec = new PBEKeySpec(password.toCharArray(), ascii("0123456789abcdef"), 4096, 256);
            assertArrayEquals(jdk.generateSecret(spec).getEncoded(), ours.generateSecret(spec).getEncoded(), password);
        }
    }

    @Test
    void installedFirstOnceAndUsedByName() throws Exception {
        Pbkdf2HmacSha256.install();
        Pbkdf2HmacSha256.install();
        assertEquals(Pbkdf2HmacSha256.PROVIDER, Security.getProviders()[0].getName());
        assertEquals(1, java.util.Arrays.stream(Security.getProviders())
                .filter(p -> p.getName().equals(Pbkdf2HmacSha256.PROVIDER)).count());
        SecretKeyFactory byName = SecretKeyFactory.getInstance(Pbkdf2HmacSha256.ALGORITHM);
        assertEquals(Pbkdf2HmacSha256.PROVIDER, byName.getProvider().getName());
        var spec = new PBEKeySpec("bench".toCharArray(), ascii("salt"), 4096, 256);
        assertArrayEquals(SecretKeyFactory.getInstance(Pbkdf2HmacSha256.ALGORITHM, "SunJCE").generateSecret(spec)
                .getEncoded(), byName.generateSecret(spec).getEncoded());
        // nothing else is taken over
        assertEquals("SunJCE", javax.crypto.Mac.getInstance("HmacSHA256").getProvider().getName());
    }

    @Test
    void refusesWhatItCannotDerive() {
        SecretKeyFactory ours = new Pbkdf2HmacSha256Factory();
        assertThrows(InvalidKeySpecException.class, () -> ours.generateSecret(new PBEKeySpec("p".toCharArray())));
        assertThrows(InvalidKeySpecException.class,
                () -> ours.generateSecret(new PBEKeySpec("p".toCharArray(), ascii("salt"), 1, 7)));
        assertThrows(InvalidKeySpecException.class,
                () -> ours.generateSecret(new SecretKeySpec(ascii("key"), "HmacSHA256")));
    }

    /** Our implementation behind the JCA's front, without installing it. */
    private static final class Pbkdf2HmacSha256Factory extends SecretKeyFactory {
        Pbkdf2HmacSha256Factory() {
            super(new Pbkdf2HmacSha256(), Security.getProvider("SunJCE"), Pbkdf2HmacSha256.ALGORITHM);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Characters from ASCII, Latin-1, CJK and surrogate pairs (1 to 4 bytes in UTF-8). */
    private static char[] text(SplittableRandom random, int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            switch (random.nextInt(4)) {
                case 0 -> sb.append((char) ('!' + random.nextInt(94)));
                case 1 -> sb.append((char) (0xa1 + random.nextInt(0x5e)));
                case 2 -> sb.append((char) (0x4e00 + random.nextInt(0x5000)));
                default -> sb.appendCodePoint(0x1f600 + random.nextInt(0x40));
            }
        }
        sb.setLength(length); // may cut a pair in two: a lone surrogate, encoded as the JDK encodes it
        return sb.toString().toCharArray();
    }
}
