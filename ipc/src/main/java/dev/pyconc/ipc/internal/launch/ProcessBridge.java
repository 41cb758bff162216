package dev.pyconc.ipc.internal.launch;

import dev.pyconc.multiprocessing.Process;

/**
 * Lets the child's main class reach what {@code dev.pyconc.multiprocessing} keeps non-public: the
 * package installs the one implementation when {@link Process} is initialized.
 */
public abstract class ProcessBridge {
    private static volatile ProcessBridge instance;

    /** For the one implementation only. */
    protected ProcessBridge() {}

    /**
     * Installs the implementation; only the first call counts.
     *
     * @throws IllegalStateException on a second call
     */
    public static synchronized void install(ProcessBridge bridge) {
        if (instance != null) {
            throw new IllegalStateException("process bridge installed twice");
        }
        instance = bridge;
    }

    static ProcessBridge get() {
        ProcessBridge b = instance;
        if (b == null) {
            try {
                Class.forName(Process.class.getName(), true, Process.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            b = instance;
        }
        return b;
    }

    /**
     * Makes {@code process}, just received from the parent, the current process of this JVM, and
     * records the parent's pid and name for {@code Multiprocessing.parentProcess()}.
     */
    public abstract void becomeChild(Process process, long parentPid, String parentName);

    /** A process of this JVM made of {@code parts} just received from the parent, as deserializing it would make it. */
    public abstract Process received(ProcessPayload.Parts parts);

    /**
     * The serialized form of a process that does nothing, for the training run of the
     * {@link AotCache}: it goes through every step a child takes, and touches none of this JVM's
     * state (no process counter, no child).
     */
    public abstract byte[] trainingPayload();
}
