import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * Build check: the jcstress jar must list at least as many tests as the sources declare with
 * {@code @JCStressTest}. If the annotation processor did not run, the jar lists none and the suite
 * would pass while testing nothing. Run as a source-file program: java CheckTestCount.java SRC JAR
 */
public class CheckTestCount {
    public static void main(String[] args) throws IOException {
        Path sources = Path.of(args[0]);
        Path jar = Path.of(args[1]);
        Pattern annotation = Pattern.compile("^\\s*@JCStressTest\\b", Pattern.MULTILINE);
        long declared;
        try (Stream<Path> files = Files.walk(sources)) {
            declared = files.filter(p -> p.toString().endsWith(".java")).mapToLong(p -> {
                try {
                    Matcher m = annotation.matcher(Files.readString(p));
                    long n = 0;
                    while (m.find()) {
                        n++;
                    }
                    return n;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
        long listed = 0;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.getEntry("META-INF/TestList");
            if (entry != null) {
                try (InputStream in = zip.getInputStream(entry)) {
                    listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).count();
                }
            }
        }
        System.out.println("jcstress: " + declared + " tests declared in the sources, " + listed + " listed in " + jar.getFileName());
        if (listed < declared || declared == 0) {
            System.err.println("jcstress.jar lists fewer tests than the sources declare: is the annotation processor running?");
            System.exit(1);
        }
    }
}
