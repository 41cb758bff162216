package dev.pyconc.gilcheck;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The blocking calls of the public API, each with the {@link Case} that makes it block (and, for
 * a call that waits in more than one way, a case per way), keyed as {@link PublicApi#key} names
 * methods; the public methods whose name is a blocking call's but which never wait, each with the
 * reason; and those that wait only for a step of their own that no case can hold open, each with
 * the wait that drops the GIL for them.
 */
final class Scenarios {
    /** The label of a call's first case. */
    static final String MAIN = "";

    private final Map<String, Map<String, Supplier<Case>>> cases = new LinkedHashMap<>();
    private final Map<String, String> notBlocking = new LinkedHashMap<>();
    private final Map<String, String> brief = new LinkedHashMap<>();

    /** Registers {@code scenario} for each of {@code methods} ({@code "threading.Lock.acquire()"}: package after {@code dev.pyconc.}). */
    Scenarios add(Supplier<Case> scenario, String... methods) {
        return variant(MAIN, scenario, methods);
    }

    /** Registers another way {@code methods} wait, named {@code label} ("over a multiprocessing.Lock"). */
    Scenarios variant(String label, Supplier<Case> scenario, String... methods) {
        for (String m : methods) {
            if (cases.computeIfAbsent("dev.pyconc." + m, k -> new LinkedHashMap<>()).put(label, scenario) != null) {
                throw new IllegalStateException("two scenarios for " + m + (label.isEmpty() ? "" : " " + label));
            }
        }
        return this;
    }

    /** Records that {@code methods} do not wait, for {@code reason}. */
    Scenarios notBlocking(String reason, String... methods) {
        return record(notBlocking, "not blocking", reason, methods);
    }

    /**
     * Records that {@code methods} wait only for a step no case can hold open (a thread or a JVM
     * starting, a connection to this host); {@code reason} names that step and the wait, covered
     * by a case, that drops the GIL during it.
     */
    Scenarios waitsBriefly(String reason, String... methods) {
        return record(brief, "waiting briefly", reason, methods);
    }

    private Scenarios record(Map<String, String> list, String what, String reason, String... methods) {
        for (String m : methods) {
            if (list.put("dev.pyconc." + m, reason) != null) {
                throw new IllegalStateException("listed twice as " + what + ": " + m);
            }
        }
        return this;
    }

    /** The cases by method, then by label ({@link #MAIN} first). */
    Map<String, Map<String, Supplier<Case>>> cases() {
        return cases;
    }

    Map<String, String> notBlocking() {
        return notBlocking;
    }

    Map<String, String> brief() {
        return brief;
    }
}
