package dev.strata.testing;

/** A server we run as a watched child process. */
public abstract class EmbeddedServer {

    protected ManagedProcess process;

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server (tests also use it to prove the suite fails closed when a store is gone). */
    public synchronized void stop() {
        if (process != null) {
            process.stop();
            process = null;
        }
    }
}
