package dev.pyconc.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Links of the Markdown files resolve: every relative link names a file or directory inside the
 * repository, and every anchor a heading of its target; nothing points outside the repository.
 */
class LinksTest {
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
    static String anchor(String heading) {
        String text = heading.replaceAll("`", "").replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    static Set<String> anchors(Path file) {
        Set<String> anchors = new HashSet<>();
        for (String line : Markdown.prose(file)) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                String a = anchor(m.group(1));
                String unique = a;
                for (int n = 1; !anchors.add(unique); n++) {
                    unique = a + "-" + n;
                }
            }
        }
        return anchors;
    }

    /** Every relative link and anchor of README.md, CONTRIBUTING.md, CHANGELOG.md and docs/ resolves inside the repository. */
    @Test
    void everyLinkResolves() {
        Path root = Repository.root();
        List<String> broken = new ArrayList<>();
        for (Path file : Markdown.files()) {
            List<String> prose = Markdown.prose(file);
            for (int i = 0; i < prose.size(); i++) {
                Matcher m = LINK.matcher(prose.get(i));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
                        continue;       // http:, https:, mailto:
                    }
                    String where = root.relativize(file) + ":" + (i + 1) + ": " + target;
                    int hash = target.indexOf('#');
                    String path = hash < 0 ? target : target.substring(0, hash);
                    String fragment = hash < 0 ? null : target.substring(hash + 1);
                    Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
                    if (!resolved.startsWith(root)) {
                        broken.add(where + " points outside the repository");
                    } else if (!Files.exists(resolved)) {
                        broken.add(where + " names no file");
                    } else if (fragment != null && resolved.toString().endsWith(".md")
                            && !anchors(resolved).contains(fragment)) {
                        broken.add(where + " names no heading of " + root.relativize(resolved));
                    }
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    /** The anchor rule matches GitHub's for the kinds of headings the docs use. */
    @Test
    void anchorsFollowGitHub() {
        assertEquals("python---java", anchor("Python -> Java"));
        assertEquals("quick-start", anchor("Quick start"));
        assertEquals("threading-devpyconcthreading-module-pyconc-core",
                anchor("threading (`dev.pyconc.threading`, module `pyconc-core`)"));
    }
}
