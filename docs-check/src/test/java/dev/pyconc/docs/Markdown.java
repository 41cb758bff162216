package dev.pyconc.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The repository's Markdown files (README.md, CONTRIBUTING.md, CHANGELOG.md and everything under
 * docs/) and what the checks read in them: links and fenced code blocks.
 */
final class Markdown {
    private Markdown() {}

    /** A fenced block: its file, the line of its opening fence, its info string and its text. */
    record Block(Path file, int line, String info, String text) {
        /** The first word of the info string: the language ({@code java}, {@code text}, {@code sh}...). */
        String language() {
            String i = info.strip();
            int space = i.indexOf(' ');
            return space < 0 ? i : i.substring(0, space);
        }

        /** Whether the info string carries {@code word} after the language (e.g. {@code fragment}). */
        boolean marked(String word) {
            return List.of(info.strip().split("\\s+")).subList(1, Math.max(1, info.strip().split("\\s+").length)).contains(word);
        }

        String where() {
            return Repository.root().relativize(file) + ":" + line;
        }
    }

    /** The Markdown files of the repository, by path from its root. */
    static List<Path> files() {
        Path root = Repository.root();
        List<Path> files = new ArrayList<>();
        for (String top : List.of("README.md", "CONTRIBUTING.md", "CHANGELOG.md")) {
            if (Files.isRegularFile(root.resolve(top))) {
                files.add(root.resolve(top));
            }
        }
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> s = Files.walk(docs)) {
                s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fenced code blocks of {@code file}, in order. */
    static List<Block> blocks(Path file) {
        List<Block> blocks = new ArrayList<>();
        List<String> lines = lines(file);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).stripLeading();
            if (!l.startsWith("```")) {
                continue;
            }
            String fence = l.substring(0, l.length() - l.replaceFirst("^`+", "").length());
            String info = l.substring(fence.length());
            int start = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).stripLeading().startsWith(fence); i++) {
                text.append(lines.get(i)).append('\n');
            }
            blocks.add(new Block(file, start + 1, info, text.toString()));
        }
        return blocks;
    }

    /** The lines of {@code file} that are outside fenced blocks, with their numbers (1-based, as index + 1). */
    static List<String> prose(Path file) {
        List<String> lines = lines(file);
        List<String> out = new ArrayList<>(lines.size());
        boolean inBlock = false;
        String fence = null;
        for (String line : lines) {
            String l = line.stripLeading();
            if (!inBlock && l.startsWith("```")) {
                inBlock = true;
                fence = l.substring(0, l.length() - l.replaceFirst("^`+", "").length());
                out.add("");
            } else if (inBlock && l.startsWith(fence)) {
                inBlock = false;
                out.add("");
            } else {
                out.add(inBlock ? "" : line);
            }
        }
        return out;
    }
}
