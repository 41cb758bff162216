package dev.pyconc.contextvars;

/**
 * What {@link ContextVar#set} returns, for {@link ContextVar#reset} to restore the value before
 * it: Python's {@code contextvars.Token}. A token is used once, in the context it was made in.
 *
 * <pre> {@code
 * Token<String> t = REQUEST_ID.set("r-42");
 * t.oldValue();          // the value before, or Token.MISSING if there was none
 * REQUEST_ID.reset(t);
 * }</pre>
 *
 * <p>Memory consistency effects: a token is meant for the thread or task that made it; it is
 * safe to pass to another thread through any hand-off that is itself a happens-before edge.
 */
public final class Token<T> {
    /** The {@link #oldValue()} of a token whose variable had no value before the set (Python's {@code Token.MISSING}). */
    public static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "<Token.MISSING>";
        }
    };

    final Context context;
    private final ContextVar<T> var;
    private final Object oldValue;
    boolean used;

    Token(Context context, ContextVar<T> var, Object oldValue) {
        this.context = context;
        this.var = var;
        this.oldValue = oldValue;
    }

    /** The variable whose {@code set} made this token (Python's {@code token.var}). */
    public ContextVar<T> var() {
        return var;
    }

    /** The variable's value before the set, or {@link #MISSING} (Python's {@code token.old_value}). */
    public Object oldValue() {
        return oldValue;
    }

    /** {@code Token@5e2de80c[var=ContextVar@...]}, with {@code used} once it was reset. */
    @Override
    public String toString() {
        return "Token@" + Integer.toHexString(System.identityHashCode(this)) + "[" + (used ? "used " : "") + "var=" + var + "]";
    }
}
