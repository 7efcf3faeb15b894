package inventory.core;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stop ends the pause at once, lets the round in progress finish, and interrupts only a round that outlasts the
 * grace period.
 */
class BackgroundLoopTest {

    @Test
    void aStopEndsThePauseAtOnce() throws Exception {
        BackgroundLoop loop = new BackgroundLoop("test-pause");
        AtomicInteger rounds = new AtomicInteger();
        CountDownLatch pausing = new CountDownLatch(1);
        loop.start(() -> {
            do {
                rounds.incrementAndGet();
                pausing.countDown();
            } while (loop.pause(Duration.ofMinutes(10)));
        });
        assertTrue(pausing.await(10, TimeUnit.SECONDS));
        long start = System.nanoTime();
        loop.stop(Duration.ofSeconds(10));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the ten-minute pause ended");
        assertEquals(1, rounds.get());
        assertTrue(loop.stopping());
        assertFalse(loop.pause(Duration.ofMinutes(1)), "a stopped loop does not pause again");
    }

    @Test
    void theRoundInProgressFinishesUninterrupted() throws Exception {
        BackgroundLoop loop = new BackgroundLoop("test-round");
        CountDownLatch inRound = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        loop.start(() -> {
            inRound.countDown();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < until) {
                interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
                Thread.onSpinWait();
            }
            finished.set(true);
            loop.pause(Duration.ofMinutes(10));
        });
        assertTrue(inRound.await(10, TimeUnit.SECONDS));
        loop.stop(Duration.ofSeconds(10));
        assertTrue(finished.get(), "the stop waited for the round");
        assertFalse(interrupted.get(), "the round was not interrupted");
    }

    @Test
    void aRoundThatOutlastsTheGraceIsInterrupted() throws Exception {
        BackgroundLoop loop = new BackgroundLoop("test-stuck");
        CountDownLatch inRound = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        loop.start(() -> {
            inRound.countDown();
            try {
                Thread.sleep(Duration.ofMinutes(10));
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        assertTrue(inRound.await(10, TimeUnit.SECONDS));
        loop.stop(Duration.ofMillis(200));
        assertTrue(interrupted.get());
    }
}
