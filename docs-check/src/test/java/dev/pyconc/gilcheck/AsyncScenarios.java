package dev.pyconc.gilcheck;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Barrier;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Channel;
import dev.pyconc.asyncio.Condition;
import dev.pyconc.asyncio.Event;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Lock;
import dev.pyconc.asyncio.Process;
import dev.pyconc.asyncio.Queue;
import dev.pyconc.futures.ReturnWhen;
import dev.pyconc.asyncio.Runner;
import dev.pyconc.asyncio.Semaphore;
import dev.pyconc.asyncio.Server;
import dev.pyconc.asyncio.StreamReader;
import dev.pyconc.asyncio.Streams;
import dev.pyconc.asyncio.TaskGroup;

/**
 * The blocking calls of async: a thread that holds the GIL runs an event loop, whose task makes
 * the call; the task's wait, and the loop's, must leave the GIL free. Most cases share one loop;
 * the unblocking action runs on the loop with {@code callSoonThreadsafe}.
 */
final class AsyncScenarios {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static EventLoop shared;

    private AsyncScenarios() {}

    /** Closes the shared loop. */
    static void close() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    private static EventLoop loop() {
        if (shared == null) {
            shared = Asyncio.newEventLoop();
        }
        return shared;
    }

    /** What a task body made, for the unblocking action; {@code ready} is set just before the call. */
    static final class Ctx {
        final AtomicBoolean ready = new AtomicBoolean();
        volatile EventLoop loop;
        volatile Future<?> task;
        private volatile Object made;

        /** Keeps {@code made} for the unblocking action and marks the call as about to block. */
        <T> T blockingOn(T made) {
            this.made = made;
            ready.set(true);
            return made;
        }

        @SuppressWarnings("unchecked")
        <T> T made() {
            return (T) made;
        }
    }

    @FunctionalInterface
    interface Body {
        Object run(Ctx ctx) throws Exception;
    }

    @FunctionalInterface
    interface OnLoop {
        void run(Ctx ctx) throws Exception;
    }

    /** The call: {@code body} in a task of the shared loop, which the GIL-holding thread runs until complete. */
    private static Case inTask(Body body, OnLoop unblock) {
        Ctx ctx = new Ctx();
        EventLoop l = loop();
        ctx.loop = l;
        return Case.of(() -> l.runUntilComplete(() -> {
            ctx.task = Asyncio.currentTask();
            return body.run(ctx);
        })).readyWhen(ctx.ready).unblock(() -> onLoop(ctx, unblock));
    }

    /** As {@link #inTask}, in a loop of its own that {@code Asyncio.run} makes and closes. */
    private static Case inOwnLoop(Body body, OnLoop unblock) {
        Ctx ctx = new Ctx();
        return Case.of(() -> Asyncio.run(() -> {
            ctx.loop = Asyncio.getRunningLoop();
            ctx.task = Asyncio.currentTask();
            return body.run(ctx);
        })).readyWhen(ctx.ready).unblock(() -> onLoop(ctx, unblock));
    }

    private static void onLoop(Ctx ctx, OnLoop action) {
        ctx.loop.callSoonThreadsafe(() -> {
            try {
                action.run(ctx);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Unblocks by setting the Event the body waits on. */
    private static final OnLoop SET = ctx -> ctx.<Event>made().set();
    /** Unblocks by completing the Future the body waits on with 7. */
    private static final OnLoop SEVEN = ctx -> ctx.<Future<Integer>>made().setResult(7);
    /** Unblocks by cancelling the task. */
    private static final OnLoop CANCEL = ctx -> ctx.task.cancel();

    static void register(Scenarios s) {
        // ---------------------------------------------------------------- running loops
        s.add(() -> {
            Ctx ctx = new Ctx();
            return Case.of(() -> Asyncio.run(() -> {
                ctx.loop = Asyncio.getRunningLoop();
                return ctx.blockingOn(new Event()).await();
            })).readyWhen(ctx.ready).unblock(() -> onLoop(ctx, SET)).returns(true);
        }, "asyncio.Asyncio.run(Callable)");
        s.add(() -> {
            Ctx ctx = new Ctx();
            return Case.of(() -> Asyncio.run(() -> {
                ctx.loop = Asyncio.getRunningLoop();
                return ctx.blockingOn(new Event()).await();
            }, false)).readyWhen(ctx.ready).unblock(() -> onLoop(ctx, SET)).returns(true);
        }, "asyncio.Asyncio.run(Callable, boolean)");
        s.add(() -> {
            Ctx ctx = new Ctx();
            return Case.ofVoid(() -> Asyncio.run((Runnable) () -> {
                ctx.loop = Asyncio.getRunningLoop();
                ctx.blockingOn(new Event()).await();
            })).readyWhen(ctx.ready).unblock(() -> onLoop(ctx, SET));
        }, "asyncio.Asyncio.run(Runnable)");
        s.add(() -> {
            Ctx ctx = new Ctx();
            return Case.of(() -> Asyncio.run(() -> {
                ctx.loop = Asyncio.getRunningLoop();
                return ctx.blockingOn(new Event()).await();
            }, Asyncio::newEventLoop)).readyWhen(ctx.ready).unblock(() -> onLoop(ctx, SET)).returns(true);
        }, "asyncio.Asyncio.run(Callable, Supplier)");
        s.add(() -> {
            Ctx ctx = new Ctx();
            return Case.of(() -> Asyncio.run(() -> {
                ctx.loop = Asyncio.getRunningLoop();
                return ctx.blockingOn(new Event()).await();
            }, false, Asyncio::newEventLoop)).readyWhen(ctx.ready).unblock(() -> onLoop(ctx, SET)).returns(true);
        }, "asyncio.Asyncio.run(Callable, boolean, Supplier)");
        s.add(() -> inTask(ctx -> ctx.blockingOn(new Event()).await(), SET).returns(true),
                "asyncio.EventLoop.runUntilComplete(Callable)");
        s.add(() -> {
            Future<Integer> f = loop().createFuture();
            return Case.of(() -> loop().runUntilComplete(f))
                    .unblock(() -> loop().callSoonThreadsafe(() -> f.setResult(7))).returns(7);
        }, "asyncio.EventLoop.runUntilComplete(Future)");
        s.add(() -> {
            EventLoop own = Asyncio.newEventLoop();
            return Case.ofVoid(own::runForever).unblock(own::stop).then(own::close);
        }, "asyncio.EventLoop.runForever()");
        s.add(() -> {
            Runner runner = new Runner();
            Ctx ctx = new Ctx();
            return Case.of(() -> runner.run(() -> {
                ctx.loop = Asyncio.getRunningLoop();
                return ctx.blockingOn(new Event()).await();
            })).readyWhen(ctx.ready).unblock(() -> onLoop(ctx, SET)).returns(true).then(runner::close);
        }, "asyncio.Runner.run(Callable)");
        s.add(() -> {
            Runner runner = new Runner();
            Ctx ctx = new Ctx();
            return Case.of(() -> runner.run(() -> {
                ctx.loop = Asyncio.getRunningLoop();
                return ctx.blockingOn(new Event()).await();
            }, new dev.pyconc.contextvars.Context())).readyWhen(ctx.ready).unblock(() -> onLoop(ctx, SET)).returns(true)
                    .then(runner::close);
        }, "asyncio.Runner.run(Callable, Context)");
        s.add(() -> {
            // A loop closed with a task pending destroys it (and logs so, as Python's does);
            // close() waits while the task unwinds.
            EventLoop own = Asyncio.newEventLoop();
            var gate = new dev.pyconc.threading.Event();
            own.runUntilComplete(() -> {
                own.createTask(() -> {
                    try {
                        return new Event().await();
                    } finally {
                        gate.await();
                    }
                });
                Asyncio.sleep(Duration.ZERO);                  // the task waits on its Event now
                return null;
            });
            return Case.ofVoid(own::close).unblock(gate::set);
        }, "asyncio.EventLoop.close()");
        s.add(() -> {
            // close() cancels the tasks left and waits for the default executor's calls to end.
            Runner runner = new Runner();
            var inThread = new dev.pyconc.threading.Event();
            var gate = new dev.pyconc.threading.Event();
            runner.run(() -> {
                Asyncio.createTask(() -> Asyncio.toThread(() -> {
                    inThread.set();
                    return gate.await();
                }));
                return Asyncio.toThread(inThread::await);
            });
            return Case.ofVoid(runner::close).unblock(gate::set);
        }, "asyncio.Runner.close()");
        s.add(() -> {
            var gate = new dev.pyconc.threading.Event();
            return inOwnLoop(ctx -> {
                var call = ctx.loop.createTask(() -> Asyncio.toThread(gate::await));
                Asyncio.sleep(Duration.ZERO);                  // the call is in the executor now
                ctx.ready.set(true);
                ctx.loop.shutdownDefaultExecutor();
                return call.await();
            }, ctx -> gate.set()).returns(true);
        }, "asyncio.EventLoop.shutdownDefaultExecutor()");
        s.add(() -> {
            var gate = new dev.pyconc.threading.Event();
            return inOwnLoop(ctx -> {
                var call = ctx.loop.createTask(() -> Asyncio.toThread(gate::await));
                Asyncio.sleep(Duration.ZERO);                  // the call is in the executor now
                ctx.ready.set(true);
                ctx.loop.shutdownDefaultExecutor(LONG);
                return call.await();
            }, ctx -> gate.set()).returns(true);
        }, "asyncio.EventLoop.shutdownDefaultExecutor(Duration)");

        // ---------------------------------------------------------------- module functions
        s.add(() -> inTask(ctx -> {
            ctx.ready.set(true);
            Asyncio.sleep(LONG);
            return null;
        }, CANCEL).throwsA(CancelledError.class), "asyncio.Asyncio.sleep(Duration)");
        s.add(() -> inTask(ctx -> {
            ctx.ready.set(true);
            return Asyncio.sleep(LONG, 7);
        }, CANCEL).throwsA(CancelledError.class), "asyncio.Asyncio.sleep(Duration, Object)");
        s.add(() -> {
            var gate = new dev.pyconc.threading.Event();
            return inTask(ctx -> {
                ctx.ready.set(true);
                return Asyncio.toThread(gate::await);
            }, ctx -> gate.set()).returns(true);
        }, "asyncio.Asyncio.toThread(Callable)");
        s.add(() -> inTask(ctx -> Asyncio.wait(List.of(pending(ctx))).done().size(), SEVEN).returns(1),
                "asyncio.Asyncio.wait(Collection)");
        s.add(() -> inTask(ctx -> Asyncio.wait(List.of(pending(ctx)), ReturnWhen.FIRST_COMPLETED).done().size(), SEVEN)
                .returns(1), "asyncio.Asyncio.wait(Collection, ReturnWhen)");
        s.add(() -> inTask(ctx -> Asyncio.wait(List.of(pending(ctx)), LONG, ReturnWhen.ALL_COMPLETED).done().size(), SEVEN)
                .returns(1), "asyncio.Asyncio.wait(Collection, Duration, ReturnWhen)");
        s.add(() -> inTask(ctx -> Asyncio.waitFor(pending(ctx)), SEVEN).returns(7), "asyncio.Asyncio.waitFor(Future)");
        s.add(() -> inTask(ctx -> Asyncio.waitFor(pending(ctx), LONG), SEVEN).returns(7),
                "asyncio.Asyncio.waitFor(Future, Duration)");
        s.add(() -> inTask(ctx -> {
            Event ev = ctx.blockingOn(new Event());
            return Asyncio.waitFor(ev::await);
        }, SET).returns(true), "asyncio.Asyncio.waitFor(Callable)");
        s.add(() -> inTask(ctx -> {
            Event ev = ctx.blockingOn(new Event());
            return Asyncio.waitFor(ev::await, LONG);
        }, SET).returns(true), "asyncio.Asyncio.waitFor(Callable, Duration)");
        s.add(() -> inTask(ctx -> Asyncio.asCompleted(List.of(pending(ctx))).iterator().next().await(), SEVEN).returns(7),
                "asyncio.Asyncio.asCompleted(Collection)");
        s.add(() -> inTask(ctx -> Asyncio.asCompleted(List.of(pending(ctx)), LONG).iterator().next().await(), SEVEN)
                .returns(7), "asyncio.Asyncio.asCompleted(Collection, Duration)");
        s.add(() -> inTask(ctx -> pending(ctx).await(), SEVEN).returns(7), "asyncio.Future.await()");
        s.notBlocking("never waits: while the future is pending it throws InvalidStateError, as in Python (await() waits)",
                "asyncio.Future.result()", "asyncio.Future.exception()");

        // ---------------------------------------------------------------- synchronization primitives
        s.add(() -> inTask(ctx -> {
            Lock lock = new Lock();
            Event gate = heldUntil(ctx, lock::enter);
            ctx.blockingOn(gate);
            boolean r = lock.acquire();
            lock.release();
            return r;
        }, SET).returns(true), "asyncio.Lock.acquire()");
        s.add(() -> inTask(ctx -> {
            Lock lock = new Lock();
            ctx.blockingOn(heldUntil(ctx, lock::enter));
            try (var _ = lock.enter()) {
                return true;
            }
        }, SET).returns(true), "asyncio.Lock.enter()");
        s.add(() -> inTask(ctx -> {
            Condition cond = new Condition();
            ctx.blockingOn(heldUntil(ctx, cond::enter));
            boolean r = cond.acquire();
            cond.release();
            return r;
        }, SET).returns(true), "asyncio.Condition.acquire()");
        s.add(() -> inTask(ctx -> {
            Condition cond = new Condition();
            ctx.blockingOn(heldUntil(ctx, cond::enter));
            try (var _ = cond.enter()) {
                return true;
            }
        }, SET).returns(true), "asyncio.Condition.enter()");
        s.add(() -> inTask(ctx -> {
            Condition cond = new Condition();
            try (var _ = cond.enter()) {
                ctx.blockingOn(cond);
                return cond.await();
            }
        }, AsyncScenarios::signal).returns(true), "asyncio.Condition.await()");
        s.add(() -> inTask(ctx -> {
            Condition cond = new Condition();
            try (var _ = cond.enter()) {
                ctx.blockingOn(cond);
                boolean[] signalled = {false};
                return cond.waitFor(() -> {
                    boolean first = !signalled[0];
                    signalled[0] = true;
                    return !first;                          // false before the wait, true after
                });
            }
        }, AsyncScenarios::signal).returns(true), "asyncio.Condition.waitFor(BooleanSupplier)");
        s.add(() -> inTask(ctx -> {
            Semaphore sem = ctx.blockingOn(new Semaphore(0));
            return sem.acquire();
        }, ctx -> ctx.<Semaphore>made().release()).returns(true), "asyncio.Semaphore.acquire()");
        s.add(() -> inTask(ctx -> {
            Semaphore sem = ctx.blockingOn(new Semaphore(0));
            try (var _ = sem.enter()) {
                return true;
            }
        }, ctx -> ctx.<Semaphore>made().release()).returns(true), "asyncio.Semaphore.enter()");
        s.add(() -> inTask(ctx -> ctx.blockingOn(new Event()).await(), SET).returns(true), "asyncio.Event.await()");
        s.add(() -> inTask(ctx -> ctx.blockingOn(new Barrier(2)).await(),
                ctx -> ctx.loop.createTask(ctx.<Barrier>made()::await)), "asyncio.Barrier.await()");
        s.add(() -> inTask(ctx -> {
            Channel<Integer> ch = ctx.blockingOn(new Channel<>());
            ch.send(7);
            return null;
        }, ctx -> ctx.loop.createTask(ctx.<Channel<Integer>>made()::receive)), "asyncio.Channel.send(Object)");
        s.add(() -> inTask(ctx -> {
            Channel<Integer> ch = ctx.blockingOn(new Channel<>());
            ch.sendException(new IllegalStateException("for the receiver"));
            return null;
        }, ctx -> ctx.loop.createTask(() -> {
            try {
                return ctx.<Channel<Integer>>made().receive();
            } catch (IllegalStateException expected) {
                return null;
            }
        })), "asyncio.Channel.sendException(Throwable)");
        s.add(() -> inTask(ctx -> ctx.<Channel<Integer>>blockingOn(new Channel<>()).receive(),
                ctx -> ctx.loop.createTask(() -> {
                    ctx.<Channel<Integer>>made().send(7);
                    return null;
                })).returns(7), "asyncio.Channel.receive()");

        // ---------------------------------------------------------------- queues and task groups
        s.add(() -> inTask(ctx -> ctx.<Queue<Integer>>blockingOn(new Queue<>()).get(),
                ctx -> ctx.<Queue<Integer>>made().putNowait(7)).returns(7), "asyncio.Queue.get()");
        s.add(() -> inTask(ctx -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(1);
            ctx.blockingOn(q).put(2);
            return q.getNowait();
        }, ctx -> ctx.<Queue<Integer>>made().getNowait()).returns(2), "asyncio.Queue.put(Object)");
        s.add(() -> inTask(ctx -> {
            Queue<Integer> q = new Queue<>();
            q.putNowait(1);
            ctx.blockingOn(q).join();
            return q.empty();
        }, ctx -> {
            Queue<Integer> q = ctx.made();
            q.getNowait();
            q.taskDone();
        }).returns(true), "asyncio.Queue.join()");
        s.notBlocking("wakes the waiters and returns: it waits for nothing (Python's shutdown)",
                "asyncio.Queue.shutdown()", "asyncio.Queue.shutdown(boolean)");
        s.add(() -> inTask(ctx -> {
            try (var tg = new TaskGroup()) {
                Event ev = new Event();
                var t = tg.createTask(ev::await);
                ctx.blockingOn(ev);
                tg.join();
                return t.result();
            }
        }, SET).returns(true), "asyncio.TaskGroup.join()");
        s.add(() -> inTask(ctx -> {
            TaskGroup.run(tg -> {
                Event ev = new Event();
                tg.createTask(ev::await);
                ctx.blockingOn(ev);                          // the group waits for the task when the body ends
            });
            return null;
        }, SET), "asyncio.TaskGroup.run(Body)");
        s.add(() -> inTask(ctx -> {
            // close() without join() cancels the group's tasks and waits for them; this one
            // unwinds only once unblocked.
            TaskGroup tg = new TaskGroup();
            Event gate = new Event();
            tg.createTask(() -> {
                try {
                    return new Event().await();
                } finally {
                    gate.await();
                }
            });
            Asyncio.sleep(Duration.ZERO);                      // the task waits on its Event now
            ctx.blockingOn(gate);
            try {
                tg.close();
                return "closed";
            } catch (IllegalStateException e) {
                return e.getMessage().substring(0, e.getMessage().indexOf(':'));
            }
        }, SET).returns("TaskGroup closed without join()"), "asyncio.TaskGroup.close()");
        s.add(() -> inTask(ctx -> TaskGroup.call(tg -> {
            Event ev = new Event();
            var t = tg.createTask(ev::await);
            ctx.blockingOn(ev);
            return t;
        }).result(), SET).returns(true), "asyncio.TaskGroup.call(ValueBody)");

        // ---------------------------------------------------------------- streams, servers and subprocesses
        s.add(() -> fed(r -> new String(r.read())).returns("ping\n"), "asyncio.StreamReader.read()");
        s.add(() -> fed(r -> new String(r.read(100))).returns("ping\n"), "asyncio.StreamReader.read(int)");
        s.add(() -> fed(r -> new String(r.readexactly(5))).returns("ping\n"), "asyncio.StreamReader.readexactly(int)");
        s.add(() -> fed(r -> new String(r.readline())).returns("ping\n"), "asyncio.StreamReader.readline()");
        s.add(() -> fed(r -> new String(r.readuntil())).returns("ping\n"), "asyncio.StreamReader.readuntil()");
        s.add(() -> fed(r -> new String(r.readuntil("ng".getBytes()))).returns("ping"),
                "asyncio.StreamReader.readuntil(byte[])");
        s.add(() -> fed(r -> new String(r.readuntil("x".getBytes(), "in".getBytes()))).returns("pin"),
                "asyncio.StreamReader.readuntil(byte[][])");
        s.notBlocking("returns the exception the reader was fed, if any", "asyncio.StreamReader.exception()");
        s.add(() -> inTask(ctx -> {
            Event gate = new Event();
            Server server = Asyncio.startServer((r, w) -> {
                gate.await();                                // reads nothing until unblocked
                r.read();
                w.close();
            }, "127.0.0.1", 0);
            Streams client = Asyncio.openConnection("127.0.0.1", server.sockets().get(0).getPort());
            client.writer().write(new byte[32 << 20]);     // more than the sockets' buffers hold
            ctx.blockingOn(gate);
            client.writer().drain();
            client.writer().close();
            client.writer().waitClosed();
            server.close();
            server.waitClosed();
            return "drained";
        }, SET).returns("drained"), "asyncio.StreamWriter.drain()");
        s.add(() -> inTask(ctx -> {
            Server server = Asyncio.startServer((r, w) -> {
                r.read();
                w.close();
            }, "127.0.0.1", 0);
            Streams client = Asyncio.openConnection("127.0.0.1", server.sockets().get(0).getPort());
            ctx.blockingOn(client.writer()).waitClosed();  // until unblocked: the client closes
            server.close();
            server.waitClosed();
            return client.writer().isClosing();
        }, ctx -> ctx.<dev.pyconc.asyncio.StreamWriter>made().close()).returns(true), "asyncio.StreamWriter.waitClosed()");
        s.add(() -> inTask(ctx -> {
            Server server = Asyncio.startServer((r, w) -> w.close(), "127.0.0.1", 0);
            ctx.blockingOn(server).waitClosed();
            return server.isServing();
        }, ctx -> ctx.<Server>made().close()).returns(false), "asyncio.Server.waitClosed()");
        s.add(() -> inTask(ctx -> {
            Server server = Asyncio.startServer((r, w) -> w.close(), "127.0.0.1", 0);
            try {
                ctx.blockingOn(server).serveForever();
                return null;
            } finally {
                server.close();
            }
        }, CANCEL).throwsA(CancelledError.class), "asyncio.Server.serveForever()");
        s.add(() -> inTask(ctx -> ctx.blockingOn(Asyncio.createSubprocessExec("sleep", "60")).await(),
                ctx -> ctx.<Process>made().terminate()).returns(-15), "asyncio.Process.await()");
        s.add(() -> inTask(ctx -> {
            Process p = ctx.blockingOn(Asyncio.createSubprocessExec("sleep", "60"));
            p.communicate();
            return p.returncode();
        }, ctx -> ctx.<Process>made().terminate()).returns(-15), "asyncio.Process.communicate()");
        s.add(() -> inTask(ctx -> {
            Process p = ctx.blockingOn(Asyncio.createSubprocessExec("sleep", "60"));
            p.communicate("input".getBytes());
            return p.returncode();
        }, ctx -> ctx.<Process>made().terminate()).returns(-15), "asyncio.Process.communicate(byte[])");
        s.notBlocking("sends the signal and returns", "asyncio.Process.sendSignal(int)", "asyncio.Process.terminate()");
        s.notBlocking("starts the child (ProcessBuilder.start) and returns; Process.await() and communicate() wait for it",
                "asyncio.Asyncio.createSubprocessExec(String[])", "asyncio.Asyncio.createSubprocessExec(List)",
                "asyncio.Asyncio.createSubprocessShell(String)", "asyncio.Subprocess$Builder.start()");
        s.notBlocking("starts the child with a protocol (ProcessBuilder.start) and returns; the protocol hears of the rest",
                "asyncio.Subprocess$Builder.start(Supplier)");
        s.waitsBriefly("waits only for the host's address (toThread) and the bind or connect on the loop, each "
                        + "awaited as Future.await() awaits",
                "asyncio.Asyncio.openConnection(String, int)", "asyncio.Asyncio.openConnection(String, int, int)",
                "asyncio.Asyncio.startServer(ClientConnectedCallback, String, int)",
                "asyncio.Asyncio.startServer(ClientConnectedCallback, String, int, int)",
                "asyncio.Asyncio.startServer(ClientConnectedCallback, String, int, int, int, boolean)");
        s.waitsBriefly("as without TLS, and the handshake, awaited on the loop as Future.await() awaits",
                "asyncio.Asyncio.openConnection(String, int, SSLContext)", "asyncio.Asyncio.openConnection(String, int, SslOptions)",
                "asyncio.Asyncio.openConnection(String, int, int, SslOptions)",
                "asyncio.Asyncio.startServer(ClientConnectedCallback, String, int, SSLContext)",
                "asyncio.Asyncio.startServer(ClientConnectedCallback, String, int, SslOptions)",
                "asyncio.Asyncio.startServer(ClientConnectedCallback, String, int, int, int, boolean, SslOptions)");
        s.notBlocking("closes or marks closing and returns; waitClosed() waits (Python's close)",
                "asyncio.Server.close()", "asyncio.StreamWriter.close()", "asyncio.Channel.close()");
        s.notBlocking("ends the timeout block: cancels its deadline and returns", "asyncio.Timeout.close()");
    }

    /** A pending future of the task's loop, kept for the unblocking action. */
    private static Future<Integer> pending(Ctx ctx) {
        return ctx.blockingOn(ctx.loop.createFuture());
    }

    /** Has another task enter {@code enter} and hold it until the returned Event is set. */
    private static Event heldUntil(Ctx ctx, java.util.concurrent.Callable<dev.pyconc.threading.Held> enter) {
        Event gate = new Event();
        Future<Boolean> held = ctx.loop.createFuture();
        ctx.loop.createTask(() -> {
            try (var _ = enter.call()) {
                held.setResult(true);
                return gate.await();
            }
        });
        held.await();
        return gate;
    }

    /** Unblocks a Condition waiter: another task signals it. */
    private static void signal(Ctx ctx) {
        Condition cond = ctx.made();
        ctx.loop.createTask(() -> {
            try (var _ = cond.enter()) {
                cond.signal();
            }
            return null;
        });
    }

    /** A reader the task reads from; unblocking feeds it "ping\n" and its end. */
    private static Case fed(CoreScenarios.On<StreamReader> read) {
        return inTask(ctx -> read.call(ctx.blockingOn(new StreamReader())), ctx -> {
            StreamReader r = ctx.made();
            r.feedData("ping\n".getBytes());
            r.feedEof();
        });
    }
}
