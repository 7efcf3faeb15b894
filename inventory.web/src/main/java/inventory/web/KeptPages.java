package inventory.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import inventory.core.ProductQuery;

/**
 * Whole pages of {@code GET /v1/products} kept by their query, each valid while the read cache's stamp has not
 * moved since the page was read (any change of any product moves it).
 * <p>
 * Only small pages are kept: a storefront asks for the same first pages again and again, a page of 20 or 50 items
 * (7–17 KB). Large pages (a limit of 200 is 69 KB) are walks through the whole catalogue, such as an export or a
 * reconciliation, each page read once; kept, 64 of them would hold 4.4 MB that the next sale makes useless. A kept
 * page lives long enough to be promoted to the old generation, where it stays after it is replaced until a full
 * collection: under writes, each walk of 10,000 products left 3.5 MB there (docs/performance.md).
 */
final class KeptPages {

    /** Most pages kept; past that they are all dropped (the usual few — first pages, a filter or two — come back). */
    static final int MAX_PAGES = 64;
    /** Largest page kept: a page of 50 items with a few attributes each, with room to spare. */
    static final int MAX_PAGE_BYTES = 32 * 1024;

    private record Kept(long stamp, byte[] body) {
    }

    private final Map<ProductQuery, Kept> pages = new ConcurrentHashMap<>();

    /**
     * @param query the page's query
     * @param stamp the read cache's stamp now
     * @return the page kept for the query at that stamp, or null
     */
    byte[] get(ProductQuery query, long stamp) {
        Kept kept = pages.get(query);
        return kept != null && kept.stamp() == stamp ? kept.body() : null;
    }

    /**
     * Keeps a page unless it is too large.
     *
     * @param query the page's query
     * @param stamp the read cache's stamp from before the page was read
     * @param body  the page's JSON; not changed afterwards
     */
    void keep(ProductQuery query, long stamp, byte[] body) {
        if (body.length > MAX_PAGE_BYTES) {
            return;
        }
        if (pages.size() >= MAX_PAGES) {
            pages.clear();
        }
        pages.put(query, new Kept(stamp, body));
    }

    /** @return how many pages are kept */
    int size() {
        return pages.size();
    }
}
