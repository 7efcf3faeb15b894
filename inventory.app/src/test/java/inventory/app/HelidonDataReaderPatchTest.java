package inventory.app;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * patches/HelidonDataReaderPatch.java, which jlink.sh runs on the image's Helidon jar, run here on a copy of the jar
 * the build uses: the patched reader no longer links a used buffer to the next (Helidon's does, which is what the
 * patch is for) and reads requests split across many socket reads exactly as Helidon's does.
 */
class HelidonDataReaderPatchTest {

    private static final Path ROOT = Path.of(System.getProperty("inventory.root", "..")).toAbsolutePath().normalize();
    private static final String REQUESTS = "POST /v1/products/x/adjustments HTTP/1.1\r\nHost: inventory\r\n"
            + "Content-Length: 13\r\n\r\n{\"delta\":-1}\n"
            + "GET /v1/products?limit=50 HTTP/1.1\r\nHost: inventory\r\n\r\n";

    @TempDir
    Path dir;

    @Test
    void patchedReaderForgetsUsedBuffersAndReadsAsBefore() throws Exception {
        Path helidon = helidonJar();
        Path jar = Files.copy(helidon, dir.resolve(helidon.getFileName()));

        assertThat(patch("--check", jar.toString()), is(1));
        assertThat(patch(jar.toString()), is(0));
        assertThat(patch("--check", jar.toString()), is(0));
        assertThat("a second run finds it patched and changes nothing", patch(jar.toString()), is(0));
        assertThat(patch("--check", helidon.toString()), is(1)); // the build's own jar is left as it was

        assertThat("Helidon's reader keeps a used buffer linked to the next", nextOfUsedNode(helidon), notNullValue());
        assertThat("the patched one does not", nextOfUsedNode(jar), nullValue());

        for (int size : new int[] {1, 2, 3, 7, 64, REQUESTS.length()}) {
            List<String> expected = read(helidon, size);
            assertThat(expected.get(0), is("POST /v1/products/x/adjustments HTTP/1.1"));
            assertThat(expected.get(4), is("{\"delta\":-1}\n"));
            assertThat(expected.subList(5, 11), is(List.of("GET ", "/v1/products?limit=50 HTTP/1.1",
                    "Host: inventory", "[]", "reads left: 0", "InsufficientDataAvailableException")));
            assertThat("reads of " + size + " bytes", read(jar, size), is(expected));
        }
    }

    @Test
    void aJarWithAnotherDataReaderIsRefused() throws Exception {
        Path jar = Files.copy(helidonJar(), dir.resolve("buffers.jar"));
        try (FileSystem zip = FileSystems.newFileSystem(jar)) {
            // another class in DataReader's place: the patch must not guess
            Path entry = zip.getPath("io/helidon/common/buffers/DataReader.class");
            Files.copy(zip.getPath("io/helidon/common/buffers/Bytes.class"), entry,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(patch(jar.toString()), is(1));
    }

    private static Path helidonJar() throws URISyntaxException {
        return Path.of(io.helidon.common.buffers.DataReader.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
    }

    /** Runs the patch; its output goes to the test's log. */
    private int patch(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                ROOT.resolve("patches/HelidonDataReaderPatch.java").toString()));
        command.addAll(Arrays.asList(args));
        Path out = Files.createTempFile(dir, "patch", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat("the patch finished", p.waitFor(2, TimeUnit.MINUTES), is(true));
        String log = Files.readString(out);
        System.out.print(log);
        if (p.exitValue() == 0) {
            assertThat(log, containsString("DataReader.ensureAvailable"));
        }
        return p.exitValue();
    }

    /** A reader from the jar given, on a class loader of its own, reading the chunks given. */
    private static Object reader(URLClassLoader loader, Deque<byte[]> chunks) throws ReflectiveOperationException {
        Class<?> type = loader.loadClass("io.helidon.common.buffers.DataReader");
        Supplier<byte[]> socket = chunks::poll;
        return type.getConstructor(Supplier.class).newInstance(socket);
    }

    /** After a line that used up the first read and a line from the second: the first read's node's link. */
    private static Object nextOfUsedNode(Path jar) throws Exception {
        try (URLClassLoader loader = loader(jar)) {
            Deque<byte[]> chunks = new ArrayDeque<>(List.of(bytes("GET / HTTP/1.1\r\n"), bytes("Host: a\r\n")));
            Object reader = reader(loader, chunks);
            Class<?> type = reader.getClass();
            Field head = type.getDeclaredField("head");
            head.setAccessible(true);
            Method readLine = type.getMethod("readLine");
            assertThat(readLine.invoke(reader), is("GET / HTTP/1.1"));
            Object used = head.get(reader);
            assertThat(readLine.invoke(reader), is("Host: a"));
            assertThat("the head moved on", head.get(reader) != used, is(true));
            Field next = used.getClass().getDeclaredField("next");
            next.setAccessible(true);
            return next.get(used);
        }
    }

    /** Two requests read the way the server reads them, from socket reads of {@code size} bytes. */
    private static List<String> read(Path jar, int size) throws Exception {
        byte[] all = bytes(REQUESTS);
        Deque<byte[]> chunks = new ArrayDeque<>();
        for (int i = 0; i < all.length; i += size) {
            chunks.add(Arrays.copyOfRange(all, i, Math.min(all.length, i + size)));
        }
        try (URLClassLoader loader = loader(jar)) {
            Object reader = reader(loader, chunks);
            Method readLine = reader.getClass().getMethod("readLine");
            Method readBytes = reader.getClass().getMethod("readBytes", int.class);
            Method readAscii = reader.getClass().getMethod("readAsciiString", int.class);
            List<String> lines = new ArrayList<>();
            lines.add((String) readLine.invoke(reader));
            lines.add((String) readLine.invoke(reader));
            lines.add((String) readLine.invoke(reader));
            lines.add("[" + readLine.invoke(reader) + "]"); // the empty line after the headers
            lines.add(new String((byte[]) readBytes.invoke(reader, 13), StandardCharsets.UTF_8));
            lines.add((String) readAscii.invoke(reader, 4));
            lines.add((String) readLine.invoke(reader));
            lines.add((String) readLine.invoke(reader));
            lines.add("[" + readLine.invoke(reader) + "]");
            lines.add("reads left: " + chunks.size());
            try {
                readLine.invoke(reader);
                lines.add("read past the end");
            } catch (InvocationTargetException e) {
                lines.add(e.getCause().getClass().getSimpleName()); // no more reads: the connection closed
            }
            return lines;
        }
    }

    private static URLClassLoader loader(Path jar) throws IOException {
        return new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
