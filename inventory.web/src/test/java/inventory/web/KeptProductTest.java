package inventory.web;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import inventory.core.Event;
import inventory.core.Product;
import inventory.core.ProductStatus;
import inventory.core.ProductStock;
import inventory.core.Stock;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A kept answer after adjustments, changed in place, is byte for byte what rendering the adjusted product gives,
 * though it keeps the bytes before the stock figures from the answer read whole; and a read during sales gets one
 * version whole.
 */
class KeptProductTest {

    private static final Instant CREATED = Instant.parse("2026-11-24T10:15:30.123456Z");

    /** Text that looks like the stock figures, in every string field and as an attribute's key and value. */
    private static final String DECOY = ",\"stock\":{\"onHand\":7,\"reserved\":0,\"available\":7}";

    private static Product product(Stock stock, long version, Instant updated) {
        return new Product(UUID.fromString("01a20a3e-3699-72ea-bc26-a75495a11b49"), "MUG-1", "Mug" + DECOY, DECOY,
                new BigDecimal("9.5"), "EUR", ProductStatus.ACTIVE, 3,
                Map.of("stock", DECOY, "colour", "blau \u00fc \u20ac", DECOY, "x"), stock, version, CREATED, updated);
    }

    private static Event.StockChanged sale(long onHand, long reserved, long version, Instant at) {
        UUID id = UUID.fromString("01a20a3e-3699-72ea-bc26-a75495a11b49");
        return new Event.StockChanged(new ProductStock(id, new Stock(onHand, reserved), version, List.of()),
                "adjustment", null, List.of(UUID.randomUUID()), at);
    }

    @Test
    void aChainOfAdjustmentsAnswersWhatTheAdjustedProductRendersTo() {
        Product base = product(new Stock(100, 0), 1, CREATED);
        byte[] json = ProductJson.write(base);
        KeptProduct kept = new KeptProduct(base, json);
        assertSame(json, kept.answer().body(), "an answer read whole is sent as it is");
        assertEquals(json.length, kept.sharedBytes());
        int head = ProductJson.stockFiguresAt(json);

        Instant at = CREATED;
        for (long version = 2; version <= 12; version++) {
            at = at.plusMillis(1_001).plusNanos(1_000);
            long onHand = 100 - (version - 1) * 3;
            assertSame(kept, kept.adjusted(sale(onHand, 0, version, at)), "changed in place");
            byte[] expected = ProductJson.write(product(new Stock(onHand, 0), version, at));
            assertEquals(version, kept.version());
            KeptProduct.Answer answer = kept.answer();
            assertEquals(version, answer.version());
            assertArrayEquals(expected, answer.body(), "version " + version + ": "
                    + new String(answer.body(), StandardCharsets.UTF_8));
            assertNotSame(answer.body(), kept.answer().body(), "each read after a sale gets its own array");
            assertEquals(head, kept.sharedBytes(), "all before the stock figures is the first answer's");
        }
        assertArrayEquals(json, ProductJson.write(base), "the JSON read whole is not written to");
    }

    @Test
    void figuresThatOutgrowTheirBufferAreStillWhole() {
        Product base = product(new Stock(1, 0), 1, CREATED);
        KeptProduct kept = new KeptProduct(base, ProductJson.write(base));
        Instant at = CREATED.plusSeconds(60);
        // from one digit to nineteen, and a negative balance
        kept.adjusted(sale(0, 0, 2, at));
        kept.adjusted(sale(Long.MAX_VALUE - 1, 0, 3, at.plusSeconds(1)));
        assertArrayEquals(ProductJson.write(product(new Stock(Long.MAX_VALUE - 1, 0), 3, at.plusSeconds(1))),
                kept.answer().body());
        kept.adjusted(sale(-5, 0, 4, at.plusSeconds(2)));
        assertArrayEquals(ProductJson.write(product(new Stock(-5, 0), 4, at.plusSeconds(2))), kept.answer().body());
    }

    @Test
    void readsDuringSalesEachGetOneVersionWhole() throws Exception {
        Product base = product(new Stock(1_000_000, 0), 1, CREATED.plusMillis(1));
        KeptProduct kept = new KeptProduct(base, ProductJson.write(base));
        int sales = 20_000;
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ConcurrentLinkedQueue<String> wrong = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> readers = new java.util.ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                long last = 0;
                while (!done.get() && wrong.isEmpty()) {
                    KeptProduct.Answer a = kept.answer();
                    long v = a.version();
                    // version v was made by sale v: 1,000,000 - (v - 1) on hand, at CREATED + v ms
                    byte[] expected = ProductJson.write(product(new Stock(1_000_001 - v, 0), v, CREATED.plusMillis(v)));
                    if (v < last || !java.util.Arrays.equals(expected, a.body())) {
                        wrong.add("after version " + last + ": " + new String(a.body(), StandardCharsets.UTF_8));
                    }
                    last = v;
                    reads.incrementAndGet();
                }
            }));
        }
        Thread.sleep(20);
        for (long v = 2; v <= sales; v++) {
            kept.adjusted(sale(1_000_001 - v, 0, v, CREATED.plusMillis(v)));
        }
        done.set(true);
        for (Thread t : readers) {
            t.join();
        }
        assertEquals(List.of(), List.copyOf(wrong));
        assertEquals(sales, kept.answer().version());
        org.junit.jupiter.api.Assertions.assertTrue(reads.get() > 0);
    }

    @Test
    void aProductWithReservedUnitsIsNotKept() {
        Product base = product(new Stock(10, 0), 1, CREATED);
        KeptProduct kept = new KeptProduct(base, ProductJson.write(base));
        assertNull(kept.adjusted(sale(10, 2, 2, CREATED.plusSeconds(1))));
        assertEquals(1, kept.answer().version(), "unchanged");
    }

    @Test
    void theStockFiguresAreFoundAfterEveryDecoy() {
        byte[] json = ProductJson.write(product(new Stock(4, 0), 9, CREATED));
        String text = new String(json, StandardCharsets.UTF_8);
        int at = ProductJson.stockFiguresAt(json);
        assertEquals(",\"stock\":{\"onHand\":4,", new String(json, at, 21, StandardCharsets.UTF_8));
        assertEquals(text.lastIndexOf(",\"stock\":{\"onHand\":4,"), new String(json, 0, at, StandardCharsets.UTF_8)
                .length(), "a byte offset, not a character offset, in JSON with non-ASCII text");
        assertEquals(-1, ProductJson.stockFiguresAt("{\"id\":1}".getBytes(StandardCharsets.US_ASCII)));
    }
}
