package dev.pyconc.multiprocessing;

import java.util.Random;

/**
 * A producer or consumer process of the queue tests, run as a main class so that it can end by
 * returning from main: {@code <encoded queue> <role> <id> <count>}.
 * Roles: {@code return}, {@code exit}, {@code kill} (put count items of 64 B, then return from
 * main, call System.exit(3), or print DONE and wait to be killed); {@code produce} (put count
 * random-sized items of producer id, printing "ACK seq" after each put returned; a negative count
 * puts for ever); {@code consume} (get items for ever, printing "GOT seq").
 */
public final class QueueChild {
    private QueueChild() {}

    public static void main(String[] args) throws Exception {
        @SuppressWarnings("unchecked")
        Queue<byte[]> q = (Queue<byte[]>) ChildJvm.decode(args[0]);
        String role = args[1];
        int id = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        switch (role) {
            case "return", "exit", "kill" -> {
                for (int i = 0; i < count; i++) {
                    q.put(QueueScenarios.payload(id * 1_000_000 + i, 64));
                }
                if (role.equals("exit")) {
                    System.exit(3);
                }
                if (role.equals("kill")) {
                    ChildJvm.say("DONE");
                    Thread.sleep(Long.MAX_VALUE);
                }
            }
            case "produce" -> {
                Random r = new Random(id);
                for (int i = 0; count < 0 || i < count; i++) {
                    int size = 16 + (r.nextInt(8) == 0 ? r.nextInt(3 << 20) : r.nextInt(40_000));
                    q.put(QueueScenarios.payload(id * 1_000_000 + i, size));
                    ChildJvm.say("ACK " + i);
                }
            }
            case "consume" -> {
                for (;;) {
                    ChildJvm.say("GOT " + QueueScenarios.check(q.get()));
                }
            }
            default -> throw new IllegalArgumentException(role);
        }
    }
}
