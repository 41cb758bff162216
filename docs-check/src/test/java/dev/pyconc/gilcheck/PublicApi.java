package dev.pyconc.gilcheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of core, ipc and async as reflection sees it: every public class of their public
 * packages (nested public classes included) and the public methods they declare, each named
 * {@code Class.method(ParamType, ...)} with simple names, as {@link BlockingCallsTest} lists them.
 */
final class PublicApi {
    /** The public packages of core, ipc and async (their {@code internal} packages are not API). */
    static final List<String> PACKAGES = List.of(
            "dev.pyconc.threading", "dev.pyconc.queue", "dev.pyconc.futures", "dev.pyconc.gil",
            "dev.pyconc.builtins", "dev.pyconc.multiprocessing", "dev.pyconc.multiprocessing.sharedmemory",
            "dev.pyconc.asyncio", "dev.pyconc.contextvars");

    private PublicApi() {}

    /** Every public class of {@link #PACKAGES}, by name. */
    static List<Class<?>> classes() {
        List<Class<?>> out = new ArrayList<>();
        for (String pkg : PACKAGES) {
            for (String name : classNames(pkg)) {
                Class<?> c = load(name);
                if (isPublicApi(c)) {
                    out.add(c);
                }
            }
        }
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        if (out.isEmpty()) {
            throw new IllegalStateException("no class found in " + PACKAGES + ": is the class path what the build gives?");
        }
        return out;
    }

    /**
     * The public methods of the public API whose name matches {@code names}, by their key: the
     * declaring class's name within its package, the method name and the simple names of its
     * parameter types. An abstract method (an interface's) is left to its implementations.
     */
    static TreeSet<String> methods(Pattern names) {
        TreeSet<String> keys = new TreeSet<>();
        for (Class<?> c : classes()) {
            for (Method m : c.getMethods()) {
                Class<?> d = m.getDeclaringClass();
                if (!names.matcher(m.getName()).matches() || Modifier.isAbstract(m.getModifiers())
                        || !d.getName().startsWith("dev.pyconc.") || !isPublicApi(d)) {
                    continue;
                }
                keys.add(key(d, m.getName(), m.getParameterTypes()));
            }
        }
        return keys;
    }

    /** {@code Lock.acquire(Duration)}, {@code Connection.recvBytesInto(byte[], int)}, with the package. */
    static String key(Class<?> c, String method, Class<?>... params) {
        return c.getName() + "." + method + Arrays.stream(params).map(Class::getSimpleName)
                .collect(Collectors.joining(", ", "(", ")"));
    }

    private static boolean isPublicApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, PublicApi.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The binary names of the classes of {@code pkg}, from directories or jars on the class path. */
    private static List<String> classNames(String pkg) {
        String dir = pkg.replace('.', '/');
        List<String> names = new ArrayList<>();
        try {
            for (URL url : Collections.list(PublicApi.class.getClassLoader().getResources(dir))) {
                if (url.getProtocol().equals("file")) {
                    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                        files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".class"))
                                .forEach(f -> names.add(pkg + "." + f.substring(0, f.length() - 6)));
                    }
                } else if (url.getProtocol().equals("jar")) {
                    JarFile jar = ((JarURLConnection) url.openConnection()).getJarFile();
                    jar.stream().map(e -> e.getName())
                            .filter(n -> n.startsWith(dir + "/") && n.endsWith(".class") && n.indexOf('/', dir.length() + 1) < 0)
                            .forEach(n -> names.add(n.substring(0, n.length() - 6).replace('/', '.')));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        names.removeIf(n -> n.endsWith(".package-info") || n.endsWith(".module-info"));
        return names;
    }
}
