package inventory.app.logging;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The log on standard output, written in batches: a line is formatted by the thread that logs it and appended to
 * a buffer, which goes out every {@value #FLUSH_MS} ms, when it holds 32 KiB, at once for a warning or worse, and on
 * close (the shutdown waits for it, see {@link LogShutdown}). JUL's console handler writes and flushes every record
 * by itself: one system call per access-log line, under a lock every request thread takes, which cost more than
 * answering a read from memory. Lines are written whole, never split between two writes.
 */
public final class BufferedConsoleHandler extends Handler {

    private static final int FLUSH_MS = 100;
    private static final int LIMIT = 32 * 1024;

    private final FileOutputStream out = new FileOutputStream(FileDescriptor.out);
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(2 * LIMIT);
    private final Thread flusher;
    private volatile boolean closed;

    /**
     * Starts the handler and its flushing thread.
     */
    public BufferedConsoleHandler() {
        flusher = Thread.ofVirtual().name("log-flusher").start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(FLUSH_MS);
                } catch (InterruptedException e) {
                    return;
                }
                flush();
            }
        });
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String line;
        try {
            line = getFormatter().format(record);
        } catch (RuntimeException e) {
            reportError(null, e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            buffer.writeBytes(bytes);
            if (closed || buffer.size() >= LIMIT || record.getLevel().intValue() >= Level.WARNING.intValue()) {
                writeOut();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
        lock.lock();
        try {
            writeOut();
        } finally {
            lock.unlock();
        }
    }

    private void writeOut() {
        if (buffer.size() == 0) {
            return;
        }
        try {
            buffer.writeTo(out);
        } catch (IOException e) {
            reportError(null, e, ErrorManager.WRITE_FAILURE);
        }
        buffer.reset();
    }

    @Override
    public void close() {
        closed = true;
        flusher.interrupt();
        flush();
    }
}
