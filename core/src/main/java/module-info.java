/**
 * pyconc core: Python's {@code threading}, {@code queue}, {@code concurrent.futures} and
 * {@code contextvars}, and an optional mode that mirrors CPython's global interpreter lock.
 *
 * <p>The internal package holds the waiting engine and the GIL runtime that the sibling modules
 * share; it is exported to them only.
 */
module dev.pyconc.core {
    requires transitive org.slf4j;

    exports dev.pyconc.builtins;
    exports dev.pyconc.threading;
    exports dev.pyconc.queue;
    exports dev.pyconc.futures;
    exports dev.pyconc.gil;
    exports dev.pyconc.contextvars;
    exports dev.pyconc.core.internal to dev.pyconc.ipc, dev.pyconc.async;
}
