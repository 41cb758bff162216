package dev.pyconc.builtins;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Several exceptions raised together: Python 3.11's built-in {@code ExceptionGroup}, as asyncio's
 * {@code TaskGroup} raises it when tasks of the group fail.
 *
 * <pre> {@code
 * try {
 *     TaskGroup.run(tg -> {
 *         tg.createTask(() -> fetch("a"));
 *         tg.createTask(() -> fetch("b"));
 *     });
 * } catch (ExceptionGroup eg) {
 *     ExceptionGroup io = eg.subgroup(UncheckedIOException.class);   // except* OSError
 *     for (Throwable e : eg.exceptions()) {
 *         log.warn("failed", e);
 *     }
 * }
 * }</pre>
 *
 * <p>The exceptions are in {@link #exceptions()}, in the order they were raised, and are also
 * attached as suppressed exceptions, so that a stack trace printed by Java shows every one of
 * them; the first is the cause. Python's {@code except*} has no Java syntax: {@link #subgroup} and
 * {@link #split} select the exceptions of a type or a condition, keeping nested groups' structure,
 * as Python's methods of those names do. It is not a cancellation: a
 * {@code catch (CancelledError e)} never catches it.
 *
 * <p>Memory consistency effects: none; the group holds the exceptions given to it.
 */
public class ExceptionGroup extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String message;
    private final List<Throwable> exceptions;

    /**
     * A group of {@code exceptions} with {@code message}.
     *
     * @throws IllegalArgumentException if {@code message} is null, or {@code exceptions} is null,
     *         empty or holds null (Python's TypeError and ValueError)
     */
    public ExceptionGroup(String message, List<? extends Throwable> exceptions) {
        super(message, first(exceptions));
        if (message == null) {
            throw new IllegalArgumentException("an exception group needs a message");
        }
        this.message = message;
        this.exceptions = List.copyOf(exceptions);
        for (Throwable e : this.exceptions) {
            addSuppressed(e);
        }
    }

    private static Throwable first(List<? extends Throwable> exceptions) {
        if (exceptions == null || exceptions.isEmpty()) {
            throw new IllegalArgumentException("second argument (exceptions) must be a non-empty sequence");
        }
        for (Throwable e : exceptions) {
            if (e == null) {
                throw new IllegalArgumentException("an exception group cannot hold null");
            }
        }
        return exceptions.getFirst();
    }

    /** The message given to the constructor (Python's {@code message}). */
    public String message() {
        return message;
    }

    /** The exceptions of the group, in the order they were raised: an unmodifiable list. */
    public List<Throwable> exceptions() {
        return exceptions;
    }

    /**
     * The exceptions of this group, nested groups included, that are instances of {@code type},
     * as a group of the same message and nesting; null when there are none (Python's
     * {@code subgroup(type)}). The whole group when it is itself of that type.
     */
    public ExceptionGroup subgroup(Class<? extends Throwable> type) {
        return subgroup(type::isInstance);
    }

    /**
     * The exceptions of this group, nested groups included, for which {@code condition} holds,
     * as a group of the same message and nesting; null when there are none (Python's
     * {@code subgroup(condition)}). The condition is tested on this group first: when it holds,
     * the result is this group.
     */
    public ExceptionGroup subgroup(Predicate<? super Throwable> condition) {
        return split(condition).match();
    }

    /**
     * Splits the group in two by {@code type}: {@link Split#match()} holds the exceptions of that
     * type and {@link Split#rest()} the others, each a group of the same message and nesting, or
     * null when empty (Python's {@code split(type)}).
     */
    public Split split(Class<? extends Throwable> type) {
        return split(type::isInstance);
    }

    /** Splits the group in two by {@code condition}, as {@link #split(Class)} does by type. */
    public Split split(Predicate<? super Throwable> condition) {
        if (condition == null) {
            throw new IllegalArgumentException("condition must not be null");
        }
        if (condition.test(this)) {
            return new Split(this, null);
        }
        List<Throwable> match = new ArrayList<>();
        List<Throwable> rest = new ArrayList<>();
        for (Throwable e : exceptions) {
            if (e instanceof ExceptionGroup g) {
                Split s = g.split(condition);
                if (s.match() != null) {
                    match.add(s.match());
                }
                if (s.rest() != null) {
                    rest.add(s.rest());
                }
            } else if (condition.test(e)) {
                match.add(e);
            } else {
                rest.add(e);
            }
        }
        return new Split(match.isEmpty() ? null : derive(match), rest.isEmpty() ? null : derive(rest));
    }

    /** A group of this group's message holding {@code exceptions} (Python's {@code derive}). */
    public ExceptionGroup derive(List<? extends Throwable> exceptions) {
        return new ExceptionGroup(message, exceptions);
    }

    /** Python's rendering: the message and the number of sub-exceptions. */
    @Override
    public String getMessage() {
        int n = exceptions.size();
        return message + " (" + n + " sub-exception" + (n == 1 ? "" : "s") + ")";
    }

    /**
     * The two parts of a {@link #split}: each a group, or null when no exception went there.
     *
     * @param match the exceptions that matched
     * @param rest  the others
     */
    public record Split(ExceptionGroup match, ExceptionGroup rest) {}
}
