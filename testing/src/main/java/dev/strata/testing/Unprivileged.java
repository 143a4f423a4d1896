package dev.strata.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * PostgreSQL refuses to run as root (CI machines and containers often are root), so when we are root the
 * server runs as {@code nobody} through util-linux {@code setpriv}, which execs in place (no extra process).
 */
final class Unprivileged {

    static final String USER = "nobody";
    static final String GROUP = "nogroup";

    private Unprivileged() {
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static List<String> wrap(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + USER, "--regid=" + GROUP,
                "--clear-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gives the directory tree to the unprivileged user when we are root. */
    static void own(Path dir) throws IOException {
        if (!isRoot()) {
            return;
        }
        UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
        var user = lookup.lookupPrincipalByName(USER);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(GROUP);
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                view.setOwner(user);
                view.setGroup(group);
            }
        }
    }
}
