package inventory.core;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The interleavings of a read and a change, step by step: a value read before a change committed never stays.
 */
class ReadCacheTest {

    private final UUID id = UUID.randomUUID();

    private ReadCache<String> enabled() {
        ReadCache<String> cache = new ReadCache<>(10);
        cache.enable();
        return cache;
    }

    @Test
    void keepsWhatWasReadUntilItChanges() {
        ReadCache<String> cache = enabled();
        cache.offer(id, cache.stamp(), "v1");
        assertEquals("v1", cache.get(id));
        cache.invalidate(id);
        assertNull(cache.get(id));
    }

    @Test
    void refusesAReadThatBeganBeforeAChange() {
        ReadCache<String> cache = enabled();
        long stamp = cache.stamp();      // the reader starts, reads v1 ...
        cache.invalidate(id);            // ... v2 commits and invalidates ...
        cache.offer(id, stamp, "v1");    // ... and the reader offers v1 too late
        assertNull(cache.get(id));
        cache.offer(id, cache.stamp(), "v2"); // a read begun after the change fills it
        assertEquals("v2", cache.get(id));
    }

    @Test
    void anAdditionMovesTheStampButKeepsWhatItsCreatorOffers() {
        ReadCache<String> cache = enabled();
        UUID other = UUID.randomUUID();
        cache.offer(other, cache.stamp(), "o1");
        long creator = cache.stamp();     // the creator takes its stamp before it writes ...
        long page = cache.stamp();        // (a list built now, from all records)
        cache.added();                    // ... the creation commits ...
        cache.offer(id, creator, "v1");   // ... and the creator keeps what it wrote
        assertEquals("v1", cache.get(id));
        assertEquals("o1", cache.get(other));
        // what was built from all records before the addition is out of date
        org.junit.jupiter.api.Assertions.assertTrue(cache.stamp() > page);
    }

    @Test
    void aCreatorCannotKeepItsRecordOnceSomeoneElseChangedIt() {
        ReadCache<String> cache = enabled();
        long creator = cache.stamp();     // the creator takes its stamp and writes v1 ...
        cache.added();
        cache.invalidate(id);             // ... someone who saw it in a list changes it to v2 at once ...
        cache.offer(id, creator, "v1");   // ... and the creator offers v1 after that
        assertNull(cache.get(id));
    }

    @Test
    void aSlowReaderCannotReplaceANewerValue() {
        ReadCache<String> cache = enabled();
        long slow = cache.stamp();        // a reader starts and reads v1 ...
        cache.invalidate(id);             // ... v2 commits ...
        cache.offer(id, cache.stamp(), "v2"); // ... a faster reader fills in v2 ...
        cache.offer(id, slow, "v1");      // ... and the slow one offers v1
        assertEquals("v2", cache.get(id));
    }

    @Test
    void aChangeAfterTheOfferRemovesIt() {
        ReadCache<String> cache = enabled();
        long stamp = cache.stamp();
        cache.offer(id, stamp, "v1");
        cache.invalidate(id);
        assertNull(cache.get(id));
    }

    @Test
    void answersNothingWhileDisabledAndRefusesReadsBegunBeforeItWasEnabled() {
        ReadCache<String> cache = new ReadCache<>(10);
        cache.offer(id, cache.stamp(), "v1");
        assertNull(cache.get(id), "starts disabled");
        long before = cache.stamp();
        cache.enable();
        cache.offer(id, before, "v1");
        assertNull(cache.get(id), "a read begun while changes could not be heard");
        cache.offer(id, cache.stamp(), "v2");
        assertEquals("v2", cache.get(id));
        cache.disable();
        assertNull(cache.get(id));
        cache.enable();
        assertNull(cache.get(id), "enabled again from empty");
    }

    @Test
    void startsOverWhenFull() {
        ReadCache<String> cache = new ReadCache<>(3);
        cache.enable();
        for (int i = 0; i < 3; i++) {
            cache.offer(UUID.randomUUID(), cache.stamp(), "x");
        }
        assertEquals(3, cache.size());
        cache.offer(id, cache.stamp(), "y");
        assertEquals(0, cache.size());
    }
}
