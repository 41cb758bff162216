package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;

/**
 * _test_multiprocessing.py's {@code _TestPicklingConnections}, which CPython runs for processes
 * only: connection ends sent through a connection to a child JVM. Its test_pickling sends
 * {@code Listener}/{@code Client} connections and sockets, which are not yet.
 */
class _TestPicklingConnections {
    @BeforeAll
    static void setUpModule() {
        Mp2Support.setUpModule();
    }

    /** CPython's {@code child_access}. */
    static void childAccess(Connection conn) {
        Connection w = (Connection) conn.recv();
        w.send("all is well");
        w.close();

        Connection r = (Connection) conn.recv();
        String msg = (String) r.recv();
        conn.send(msg.repeat(2));

        conn.close();
    }

    /** The write end and the read end of a one-way pipe, each sent to the child, work there. */
    @Test
    @DisplayName("test_access")
    void testAccess() {
        Connection.Pair pair = Multiprocessing.pipe();
        Connection conn = pair.conn1();
        Connection childConn = pair.conn2();
        Process p = new Process(() -> childAccess(childConn));
        p.setDaemon(true);
        p.start();
        childConn.close();

        Connection.Pair rw = Multiprocessing.pipe(false);
        Connection r = rw.conn1();
        Connection w = rw.conn2();
        conn.send(w);
        w.close();
        assertEquals("all is well", r.recv());
        r.close();

        rw = Multiprocessing.pipe(false);
        Connection r2 = rw.conn1();
        Connection w2 = rw.conn2();
        conn.send(r2);
        r2.close();
        w2.send("foobar");
        w2.close();
        assertEquals("foobar".repeat(2), conn.recv());

        p.join();
        assertEquals(0, p.exitCode());
        conn.close();
    }
}
