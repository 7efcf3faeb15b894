package inventory.web;

import java.util.Optional;

import inventory.core.ProductQuery;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Kept pages: a page is given back only at the stamp it was read at, large pages are not kept, and the number
 * kept is bounded.
 */
class KeptPagesTest {

    private static ProductQuery page(int limit, String cursor) {
        return new ProductQuery(limit, Optional.ofNullable(cursor), Optional.empty(), Optional.empty(), false,
                Optional.empty());
    }

    @Test
    void aPageIsGivenBackAtItsStampOnly() {
        KeptPages pages = new KeptPages();
        byte[] body = "{\"items\":[]}".getBytes();
        pages.keep(page(50, null), 7, body);
        assertArrayEquals(body, pages.get(page(50, null), 7));
        assertNull(pages.get(page(50, null), 8), "any change since moves the stamp on");
        assertNull(pages.get(page(20, null), 7), "another query");
    }

    @Test
    void pagesUpToTheLimitAreKeptLargerOnesAreNot() {
        KeptPages pages = new KeptPages();
        pages.keep(page(50, null), 1, new byte[KeptPages.MAX_PAGE_BYTES]);
        pages.keep(page(200, null), 1, new byte[KeptPages.MAX_PAGE_BYTES + 1]);
        assertEquals(KeptPages.MAX_PAGE_BYTES, pages.get(page(50, null), 1).length);
        assertNull(pages.get(page(200, null), 1), "a page of a catalogue walk is read once: not kept");
        assertEquals(1, pages.size());
    }

    @Test
    void pastTheMostPagesAllAreDroppedAndKeepingStartsAgain() {
        KeptPages pages = new KeptPages();
        for (int i = 0; i < KeptPages.MAX_PAGES; i++) {
            pages.keep(page(50, "c" + i), 1, new byte[] {(byte) i});
        }
        assertEquals(KeptPages.MAX_PAGES, pages.size());
        pages.keep(page(50, "one more"), 1, new byte[] {1});
        assertEquals(1, pages.size());
        assertNull(pages.get(page(50, "c0"), 1));
        assertArrayEquals(new byte[] {1}, pages.get(page(50, "one more"), 1));
    }

    @Test
    void aPageReadAgainReplacesTheOneKept() {
        KeptPages pages = new KeptPages();
        pages.keep(page(50, null), 1, new byte[] {1});
        pages.keep(page(50, null), 2, new byte[] {2});
        assertNull(pages.get(page(50, null), 1));
        assertArrayEquals(new byte[] {2}, pages.get(page(50, null), 2));
        assertEquals(1, pages.size());
    }
}
