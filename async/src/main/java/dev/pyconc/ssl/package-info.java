/**
 * Python's {@code ssl} module, the part asyncio needs: its exceptions ({@link dev.pyconc.ssl.SSLError},
 * {@link dev.pyconc.ssl.SSLCertVerificationError}), {@link dev.pyconc.ssl.Ssl#createDefaultContext()}
 * and {@link dev.pyconc.ssl.VerifyMode}. Contexts are the JDK's {@link javax.net.ssl.SSLContext}:
 * TLS runs on the JDK's own provider, no native library is needed.
 *
 * <h2 id="MemoryVisibility">Memory Visibility</h2>
 * The exceptions carry only their message and cause; {@code Ssl}'s methods return new contexts,
 * which the JDK makes safe to share between threads.
 */
package dev.pyconc.ssl;
