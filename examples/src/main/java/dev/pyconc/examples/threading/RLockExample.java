package dev.pyconc.examples.threading;

import java.util.ArrayList;
import java.util.List;

import dev.pyconc.threading.RLock;

/**
 * A reentrant lock lets a method that holds it call another that takes it again: here a bank
 * account whose {@code transfer} holds the lock and calls {@code withdraw} and {@code deposit},
 * which take it too. With a plain Lock, the nested acquire would wait for itself forever.
 */
public class RLockExample {
    static final class Account {
        private final RLock lock = new RLock();
        private final List<String> log = new ArrayList<>();
        private int balance;

        void deposit(int amount) {
            try (var _ = lock.enter()) {
                balance += amount;
                log.add("deposit " + amount + " (held " + lock.recursionCount() + "x)");
            }
        }

        void withdraw(int amount) {
            try (var _ = lock.enter()) {
                if (amount > balance) {
                    throw new IllegalArgumentException("insufficient funds");
                }
                balance -= amount;
                log.add("withdraw " + amount + " (held " + lock.recursionCount() + "x)");
            }
        }

        void transfer(Account to, int amount) {
            try (var _ = lock.enter()) {
                withdraw(amount);          // takes the RLock a second time
                to.deposit(amount);
            }
        }
    }

    public static void main(String[] args) {
        var a = new Account();
        var b = new Account();
        a.deposit(100);
        a.transfer(b, 30);
        System.out.println("account a: " + a.log + " -> balance " + a.balance);
        System.out.println("account b: " + b.log + " -> balance " + b.balance);
        System.out.println("a's lock is free again: locked() = " + a.lock.locked());
    }
}
