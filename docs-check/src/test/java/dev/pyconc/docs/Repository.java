package dev.pyconc.docs;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's files are: the build passes its root as {@code pyconc.repository}. */
final class Repository {
    private Repository() {}

    /** The repository's root. */
    static Path root() {
        String p = System.getProperty("pyconc.repository");
        Path root = (p != null ? Path.of(p) : Path.of("..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("README.md"))) {
            throw new IllegalStateException("no README.md in " + root + ": run the docs checks from the repository's build");
        }
        return root;
    }

    /** A file of the repository, by its path from the root. */
    static Path path(String relative) {
        return root().resolve(relative);
    }
}
