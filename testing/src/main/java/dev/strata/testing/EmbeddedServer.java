package dev.strata.testing;

/** A server we run as a watched child process. */
public abstract class EmbeddedServer {

    protected ManagedProcess process;

    /** A fixed port already taken would make readiness checks talk to someone else's server: refuse instead. */
    static void requireFree(String what, int port) throws java.io.IOException {
        if (Ports.isOpen("127.0.0.1", port)) {
            throw new java.io.IOException(what + ": port " + port + " is already in use (another run still going?)");
        }
    }

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

    /** Freezes the server (SIGSTOP to its whole process tree): connections stay open, nothing answers. */
    public synchronized void pause() {
        if (process != null) {
            process.signal("STOP");
        }
    }

    public synchronized void resume() {
        if (process != null) {
            process.signal("CONT");
        }
    }

    /** Kills the server with SIGKILL, as a crash or a lost node would: no clean shutdown, no goodbye to clients. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
            process = null;
        }
    }
}
