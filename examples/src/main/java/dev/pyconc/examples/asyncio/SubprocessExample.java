package dev.pyconc.examples.asyncio;

import static dev.pyconc.asyncio.Subprocess.PIPE;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Process;
import dev.pyconc.asyncio.Subprocess;

/**
 * Child processes on the event loop, after Python's subprocess docs: a shell command's output
 * through {@code communicate}, two commands run at once with {@code gather}, a line read from a
 * child's stdout with {@code create_subprocess_exec}, and data fed to a child's stdin. Python:
 *
 * <pre>
 * async def run(cmd):
 *     proc = await asyncio.create_subprocess_shell(cmd, stdout=PIPE, stderr=PIPE)
 *     stdout, stderr = await proc.communicate()
 *     print(f'[{cmd!r} exited with {proc.returncode}]')
 *     if stdout: print(f'[stdout]\n{stdout.decode()}')
 *     if stderr: print(f'[stderr]\n{stderr.decode()}')
 *
 * async def main():
 *     await asyncio.gather(run('ls /zzz'), run('sleep 1; echo "hello"'))
 *
 *     proc = await asyncio.create_subprocess_exec('date', '+%Y', stdout=PIPE)
 *     year = (await proc.stdout.readline()).decode().rstrip()
 *     await proc.wait()
 *
 *     proc = await asyncio.create_subprocess_exec('sort', stdin=PIPE, stdout=PIPE)
 *     out, _ = await proc.communicate(b'pear\napple\nfig\n')
 * </pre>
 *
 * <p>{@code dev.pyconc.asyncio.Process} is imported by name, since {@code java.lang.Process} is
 * imported implicitly.
 */
public final class SubprocessExample {
    private SubprocessExample() {}

    static int run(String cmd) {
        Process proc = Subprocess.shell(cmd).stdout(PIPE).stderr(PIPE).start();
        Process.Output out = proc.communicate();
        StringBuilder report = new StringBuilder("['" + cmd + "' exited with " + proc.returncode() + "]\n");
        if (out.stdout().length > 0) {
            report.append("[stdout]\n").append(new String(out.stdout(), UTF_8));
        }
        if (out.stderr().length > 0) {
            report.append("[stderr]\n").append(new String(out.stderr(), UTF_8));
        }
        System.out.print(report);
        return proc.returncode();
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        Asyncio.run(() -> {
            List<Integer> codes = Asyncio.<Integer>gather(() -> run("ls /zzz"), () -> run("sleep 1; echo \"hello\"")).await();
            System.out.printf("gather of both commands -> return codes %s in %.2f s (the sleep did not hold up the other)%n",
                    codes, (System.nanoTime() - start) / 1e9);

            Process date = Subprocess.exec("date", "+%Y").stdout(PIPE).start();
            String year = new String(date.stdout().readline(), UTF_8).strip();
            System.out.println("date +%Y printed " + year + ", exit code " + date.await());

            Process sort = Subprocess.exec("sort").stdin(PIPE).stdout(PIPE).start();
            Process.Output sorted = sort.communicate("pear\napple\nfig\n".getBytes(UTF_8));
            System.out.print("sort of pear, apple, fig ->\n" + new String(sorted.stdout(), UTF_8));

            Process sleeper = Asyncio.createSubprocessExec("sleep", "60");
            sleeper.terminate();
            System.out.println("sleep 60 after terminate(): returncode " + sleeper.await() + " (-SIGTERM, as in Python)");
            return null;
        });
    }
}
