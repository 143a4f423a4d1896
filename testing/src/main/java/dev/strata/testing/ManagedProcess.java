package dev.strata.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process wrapped in a tiny shell watchdog: the watchdog reads our stdin pipe and, when the pipe closes
 * (we stopped it, or this JVM died in any way, even SIGKILL), sends the child its stop signal and waits for it.
 * SIGTERM by default: a JVM started from a background job inherits SIGINT as ignored and would never stop.
 * That is what guarantees no server outlives a test run, whatever happens to the test JVM.
 */
public final class ManagedProcess {

    // $1 is the stop signal, the rest the command
    private static final String WATCHDOG =
            "sig=$1; shift; exec 3<&0; \"$@\" </dev/null & c=$!; "
            + "{ cat <&3 >/dev/null; kill -$sig $c 2>/dev/null; } & "
            + "wait $c; s=$?; exit $s";

    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static ManagedProcess start(String name, List<String> command, Path workDir, Path log, Map<String, String> env)
            throws IOException {
        return start(name, "TERM", command, workDir, log, env);
    }

    /** @param stopSignal e.g. {@code INT} for PostgreSQL's fast shutdown (TERM would wait for every client) */
    public static ManagedProcess start(String name, String stopSignal, List<String> command, Path workDir, Path log,
            Map<String, String> env) throws IOException {
        List<String> full = new ArrayList<>();
        full.add("/bin/sh");
        full.add("-c");
        full.add(WATCHDOG);
        full.add("strata-" + name);
        full.add(stopSignal);
        full.addAll(command);
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(full)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        ProcessRegistry.record(name, p.pid());
        return new ManagedProcess(name, p, log);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Closes the watchdog's pipe (child gets SIGINT) and waits; kills the whole tree if it lingers. */
    public void stop() {
        try (OutputStream in = process.getOutputStream()) {
            in.flush();
        } catch (IOException ignored) {
            // already closed: the watchdog is going down anyway
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        ProcessRegistry.forget(name, process.pid());
    }

    /**
     * Sends a signal to the server and every process under it (PostgreSQL's backends too): {@code STOP} freezes it
     * as a stalled store would be, {@code CONT} lets it go on. Fault tests use it to prove timeouts.
     */
    public void signal(String sig) {
        StringBuilder pids = new StringBuilder();
        process.descendants().forEach(h -> pids.append(' ').append(h.pid()));
        if (pids.length() == 0) {
            return;
        }
        try {
            // the shell's own kill: no procps package needed on a fresh machine
            Process k = new ProcessBuilder("/bin/sh", "-c", "kill -" + sig + pids).redirectErrorStream(true).start();
            k.getInputStream().readAllBytes();
            k.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL to the child and its watchdog at once (a crash, for failover tests); waits until they are gone. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessRegistry.forget(name, process.pid());
    }
}
