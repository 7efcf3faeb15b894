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
 * A kept answer after adjustments is byte for byte what rendering the adjusted product gives, though it shares
 * the bytes before the stock figures with the answer it came from.
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
        assertSame(json, kept.body(), "an answer read whole is sent as it is");
        assertEquals(0, kept.sharedBytes());
        int head = ProductJson.stockFiguresAt(json);

        Instant at = CREATED;
        for (long version = 2; version <= 12; version++) {
            at = at.plusMillis(1_001).plusNanos(1_000);
            long onHand = 100 - (version - 1) * 3;
            kept = kept.adjusted(sale(onHand, 0, version, at));
            byte[] expected = ProductJson.write(product(new Stock(onHand, 0), version, at));
            assertEquals(version, kept.version());
            assertArrayEquals(expected, kept.body(), "first read, version " + version + ": "
                    + new String(kept.body(), StandardCharsets.UTF_8));
            assertArrayEquals(expected, kept.body(), "later read, version " + version);
            assertNotSame(kept.body(), kept.body(), "each read of a successor gets its own array");
            assertEquals(head, kept.sharedBytes(), "all before the stock figures is the first answer's");
        }
    }

    @Test
    void aSuccessorNotYetReadStillAnswersExactlyAfterFurtherAdjustments() {
        Product base = product(new Stock(10, 0), 5, CREATED);
        KeptProduct kept = new KeptProduct(base, ProductJson.write(base));
        Instant at = CREATED.plusSeconds(60);
        // none of these is read before the next adjustment
        kept = kept.adjusted(sale(9, 0, 6, at)).adjusted(sale(1_000_000, 0, 7, at.plusSeconds(1)))
                .adjusted(sale(0, 0, 8, at.plusSeconds(2)));
        assertArrayEquals(ProductJson.write(product(new Stock(0, 0), 8, at.plusSeconds(2))), kept.body());
    }

    @Test
    void aProductWithReservedUnitsIsNotKept() {
        Product base = product(new Stock(10, 0), 1, CREATED);
        KeptProduct kept = new KeptProduct(base, ProductJson.write(base));
        assertNull(kept.adjusted(sale(10, 2, 2, CREATED.plusSeconds(1))));
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
