/**
 * Internals shared by pyconc's modules: the waiting engine ({@link dev.pyconc.core.internal.Sync}),
 * the GIL runtime and timeout handling. Exported only to pyconc's own modules; not an API.
 */
package dev.pyconc.core.internal;
