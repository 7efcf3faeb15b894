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

    /** Values here are a letter and the version they show: "v2" is version 2. */
    private static long version(String value) {
        return Long.parseLong(value.substring(1));
    }

    private ReadCache<String> enabled() {
        ReadCache<String> cache = new ReadCache<>(10, ReadCacheTest::version);
        cache.enable();
        return cache;
    }

    @Test
    void keepsWhatWasReadUntilItChanges() {
        ReadCache<String> cache = enabled();
        cache.offer(id, cache.stamp(), "v1");
        assertEquals("v1", cache.get(id));
        cache.changed(id, 2);
        assertNull(cache.get(id));
    }

    @Test
    void refusesAReadThatBeganBeforeAChange() {
        ReadCache<String> cache = enabled();
        long stamp = cache.stamp();      // the reader starts, reads v1 ...
        cache.changed(id, 2);            // ... v2 commits and invalidates ...
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
        cache.changed(id, 2);             // ... someone who saw it in a list changes it to v2 at once ...
        cache.offer(id, creator, "v1");   // ... and the creator offers v1 after that
        assertNull(cache.get(id));
    }

    @Test
    void aChangeFromTheKeptVersionKeepsTheStateAfterIt() {
        ReadCache<String> cache = enabled();
        long slow = cache.stamp();                      // a reader starts and reads v1 ...
        cache.offer(id, cache.stamp(), "v1");
        cache.changed(id, 2, v -> "v2");                // ... v2 commits: kept v1 becomes v2 ...
        assertEquals("v2", cache.get(id));
        cache.offer(id, slow, "v1");                    // ... and the slow reader cannot put v1 back
        assertEquals("v2", cache.get(id));
        cache.changed(id, 3, v -> "v3");
        assertEquals("v3", cache.get(id));
    }

    @Test
    void aChangeNotFromTheKeptVersionForgetsIt() {
        ReadCache<String> cache = enabled();
        cache.offer(id, cache.stamp(), "v1");
        cache.changed(id, 3, v -> "v3");                // v2 was missed: v1 + this change is not v3
        assertNull(cache.get(id));
        cache.changed(id, 4, v -> "v4");                // nothing kept to build on
        assertNull(cache.get(id));
        cache.offer(id, cache.stamp(), "v4");
        cache.changed(id, 5, null);                     // a change that cannot tell the new state
        assertNull(cache.get(id));
        cache.offer(id, cache.stamp(), "v5");
        cache.changed(id, 6, v -> "v7");                // a successor at the wrong version is not kept
        assertNull(cache.get(id));
    }

    @Test
    void changesNotedInAnyOrderLeaveTheLastStateOrNothing() {
        ReadCache<String> cache = enabled();
        cache.offer(id, cache.stamp(), "v1");
        cache.changed(id, 3, v -> "v3");                // v3's writer notes first ...
        cache.changed(id, 2, v -> "v2");                // ... then v2's
        assertNull(cache.get(id));
        cache.offer(id, cache.stamp(), "v3");
        cache.changed(id, 2, v -> "v2");                // an older change heard late (from the event feed)
        cache.changed(id, 3);                           // and this instance's own, heard again
        assertEquals("v3", cache.get(id));
    }

    @Test
    void aSlowReaderCannotReplaceANewerValue() {
        ReadCache<String> cache = enabled();
        long slow = cache.stamp();        // a reader starts and reads v1 ...
        cache.changed(id, 2);             // ... v2 commits ...
        cache.offer(id, cache.stamp(), "v2"); // ... a faster reader fills in v2 ...
        cache.offer(id, slow, "v1");      // ... and the slow one offers v1
        assertEquals("v2", cache.get(id));
    }

    @Test
    void aChangeAfterTheOfferRemovesIt() {
        ReadCache<String> cache = enabled();
        long stamp = cache.stamp();
        cache.offer(id, stamp, "v1");
        cache.changed(id, 2);
        assertNull(cache.get(id));
    }

    @Test
    void answersNothingWhileDisabledAndRefusesReadsBegunBeforeItWasEnabled() {
        ReadCache<String> cache = new ReadCache<>(10, ReadCacheTest::version);
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
        ReadCache<String> cache = new ReadCache<>(3, ReadCacheTest::version);
        cache.enable();
        for (int i = 0; i < 3; i++) {
            cache.offer(UUID.randomUUID(), cache.stamp(), "x");
        }
        assertEquals(3, cache.size());
        cache.offer(id, cache.stamp(), "y");
        assertEquals(0, cache.size());
    }

    @Test
    void aValueChangedInPlaceStaysInItsSlotAndStillRefusesOlderReads() {
        ReadCache<long[]> cache = new ReadCache<>(10, a -> a[0]);
        cache.enable();
        long[] kept = {1};
        cache.offer(id, cache.stamp(), kept);
        long before = cache.stamp();            // a reader starts, reads version 1 ...
        cache.changed(id, 2, a -> {             // ... a sale takes the kept value to version 2 in place ...
            a[0] = 2;
            return a;
        });
        assertEquals(2, cache.get(id)[0]);
        org.junit.jupiter.api.Assertions.assertSame(kept, cache.get(id));
        cache.offer(id, before, new long[] {1}); // ... and the reader's older value is refused
        assertEquals(2, cache.get(id)[0]);
        cache.changed(id, 4, a -> {             // a change that skips a version is not applied: forgotten
            a[0] = 4;
            return a;
        });
        assertNull(cache.get(id));
    }
}
