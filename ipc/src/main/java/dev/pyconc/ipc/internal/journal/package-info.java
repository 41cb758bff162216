/**
 * The journal wing of ipc's internals: the storage of {@code JournalQueue} on Chronicle Queue
 * ({@link dev.pyconc.ipc.internal.journal.ChronicleJournal}, the only class of pyconc that
 * touches Chronicle, whose jars are optional) and the JVM flags and properties a process needs
 * for it ({@link dev.pyconc.ipc.internal.journal.JournalFlags}, which loads no Chronicle class,
 * so that the launcher of child processes may use it). It owns no mapped descriptor: Chronicle
 * lays out its own files. It stands on the codec wing.
 */
package dev.pyconc.ipc.internal.journal;
