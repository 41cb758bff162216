package dev.pyconc.asyncio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Several exceptions raised together: Python 3.11's {@code ExceptionGroup}, as {@link TaskGroup}
 * raises it when tasks of the group fail.
 *
 * <pre> {@code
 * try (var tg = new TaskGroup()) {
 *     tg.createTask(() -> fetch("a"));
 *     tg.createTask(() -> fetch("b"));
 * } catch (ExceptionGroup eg) {
 *     for (Throwable e : eg.exceptions()) {
 *         log.warn("failed", e);
 *     }
 * }
 * }</pre>
 *
 * <p>The exceptions are in {@link #exceptions()}, in the order they were raised, and are also
 * attached as suppressed exceptions, so that a stack trace printed by Java shows every one of them.
 * Python's {@code except*} has no Java syntax; {@link #subgroup(Class)} selects the exceptions of
 * one type.
 *
 * <p>It extends {@link CancelledError}, a departure from Python with the same cause as
 * {@link TimeoutError}'s: when a task of a group fails, the group cancels the block's body, and the
 * exception raised at the body's await is already the group's {@code ExceptionGroup}, because a
 * Java try-with-resources block cannot swap the exception that leaves it. Inside the block it is a
 * {@code CancelledError} (clean-up written for cancellation runs); outside it is caught as
 * {@code ExceptionGroup} (put that catch before a {@code catch (CancelledError e)}). A task whose
 * body ends by throwing it finishes with that exception; it is not cancelled.
 *
 * <p>Memory consistency effects: none beyond those of the task that raises it.
 */
public class ExceptionGroup extends CancelledError {
    private static final long serialVersionUID = 1L;

    private final String baseMessage;
    private final List<Throwable> exceptions;

    /**
     * A group of {@code exceptions}, which must not be empty.
     *
     * @throws IllegalArgumentException if {@code exceptions} is null or empty
     */
    @SuppressWarnings("this-escape")   // add() is final and only records the exception
    public ExceptionGroup(String message, List<? extends Throwable> exceptions) {
        super(message);
        if (exceptions == null || exceptions.isEmpty()) {
            throw new IllegalArgumentException("an exception group needs at least one exception");
        }
        this.baseMessage = message;
        this.exceptions = new ArrayList<>(exceptions.size());
        for (Throwable e : exceptions) {
            add(e);
        }
    }

    /** A group that its TaskGroup fills until the group is done. */
    ExceptionGroup(String message) {
        super(message);
        this.baseMessage = message;
        this.exceptions = new ArrayList<>(2);
    }

    final void add(Throwable e) {
        if (e == null) {
            throw new IllegalArgumentException("an exception group cannot hold null");
        }
        exceptions.add(e);
        if (e != this) {
            addSuppressed(e);
        }
        if (getCause() == null && e != this) {
            initCause(e);
        }
    }

    /** The exceptions of the group, in the order they were raised. */
    public List<Throwable> exceptions() {
        return Collections.unmodifiableList(exceptions);
    }

    /** The exceptions of the group that are instances of {@code type}. */
    public <E extends Throwable> List<E> subgroup(Class<E> type) {
        return exceptions.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public String getMessage() {
        int n = exceptions.size();
        return baseMessage + " (" + n + " sub-exception" + (n == 1 ? "" : "s") + ")";
    }
}
