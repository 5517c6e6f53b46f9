package dev.tollgate.gateway.tools.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A directory tree a tool may read, and nothing outside it. A relative path is resolved under the root; it is
 * refused when it is absolute, when it climbs out with {@code ..}, or when the real path (symbolic links followed)
 * lies outside the real root, so a link inside the tree that points elsewhere is an escape too.
 */
public final class SafeRoot {

    private final Path root;

    public SafeRoot(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /**
     * The real path of an existing regular file under the root.
     *
     * @throws PathEscapeException when the path leaves the root in any way
     * @throws NoSuchFileException when there is no such file
     */
    public Path resolveFile(String relative) throws PathEscapeException, IOException {
        Path real = resolve(relative);
        if (!Files.isRegularFile(real)) {
            throw new NoSuchFileException(relative, null, "not a regular file under the root");
        }
        return real;
    }

    /** The real path of an existing file or directory under the root. */
    public Path resolve(String relative) throws PathEscapeException, IOException {
        if (relative == null || relative.isEmpty() || relative.indexOf('\0') >= 0) {
            throw new PathEscapeException("path must be a non-empty relative path");
        }
        Path given = Path.of(relative);
        if (given.isAbsolute() || relative.startsWith("/") || relative.startsWith("\\")) {
            throw new PathEscapeException("path '" + relative + "' is absolute; only paths under the root are allowed");
        }
        Path lexical = root.resolve(given).normalize();
        if (!lexical.startsWith(root)) {
            throw new PathEscapeException("path '" + relative + "' escapes the root (traversal refused)");
        }
        if (!Files.exists(lexical, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(relative, null, "no such file under the root");
        }
        Path realRoot = root.toRealPath();
        Path real = lexical.toRealPath();
        if (!real.startsWith(realRoot)) {
            throw new PathEscapeException("path '" + relative + "' escapes the root through a symbolic link (refused)");
        }
        return real;
    }

    /** The path of a real file relative to the root, with forward slashes. */
    public String relativize(Path real) throws IOException {
        return root.toRealPath().relativize(real).toString().replace('\\', '/');
    }
}
