package dev.strata.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Second line of defence behind the watchdog: every child is written down under the owning JVM's pid, and a
 * later run kills whatever a dead owner left behind (for example if the watchdog shell itself was killed).
 */
final class ProcessRegistry {

    private static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "strata-servers-registry");
    private static final long OWNER = ProcessHandle.current().pid();

    private ProcessRegistry() {
    }

    static synchronized void record(String name, long pid) {
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve(OWNER + "-" + name + "-" + pid), Long.toString(pid));
        } catch (IOException ignored) {
            // best effort: the watchdog still guards the process
        }
    }

    static synchronized void forget(String name, long pid) {
        try {
            Files.deleteIfExists(DIR.resolve(OWNER + "-" + name + "-" + pid));
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Kills children recorded by JVMs that no longer exist. */
    static synchronized void reapOrphans() {
        if (!Files.isDirectory(DIR)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(DIR)) {
            for (Path f : files) {
                String[] parts = f.getFileName().toString().split("-");
                if (parts.length < 3) {
                    continue;
                }
                long owner = Long.parseLong(parts[0]);
                if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                long child = Long.parseLong(parts[parts.length - 1]);
                ProcessHandle.of(child).ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
                Files.deleteIfExists(f);
            }
        } catch (IOException | NumberFormatException ignored) {
            // best effort
        }
    }
}
