package io.streamrec.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code redis-server} running as a child process on a free local port, for tests and the
 * demo.
 *
 * <p>The server binds to 127.0.0.1 only, keeps nothing on disk ({@code --save ""}, no append-only
 * file) and runs in the foreground so that this JVM owns it. {@link #stop()} and {@link
 * #restart()} simulate an outage: the port stays the same, so clients configured with {@link
 * #url()} reconnect to the new process. All data is lost on stop, as with a crashed cache.
 *
 * <p>The process is killed on {@link #close()} and, as a safety net, by a JVM shutdown hook, so an
 * aborted test run leaves no orphan behind. Requires {@code redis-server} on the {@code PATH}.
 *
 * <p>Not thread-safe: start, stop and restart from one thread.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisServerProcess.class);

    private static final String EXECUTABLE = "redis-server";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;

    private final String executable;
    private final Path workDir;
    private final int port;
    private final Thread shutdownHook;
    private final boolean durable;
    private final List<String> extraArgs;
    private Process process;

    private RedisServerProcess(String executable, Path workDir, int port, boolean durable, List<String> extraArgs) {
        this.executable = executable;
        this.workDir = workDir;
        this.port = port;
        this.durable = durable;
        this.extraArgs = List.copyOf(extraArgs);
        this.shutdownHook = new Thread(this::killQuietly, "redis-server-" + port + "-shutdown");
    }

    /**
     * Starts {@code redis-server} on a free port and waits until it answers {@code PING}.
     *
     * @throws IllegalStateException if {@code redis-server} is not on the {@code PATH} or does not
     *     come up
     */
    public static RedisServerProcess start() {
        return start(false, List.of());
    }

    /**
     * Like {@link #start()}, with more {@code redis-server} arguments, e.g. {@code --requirepass
     * secret} or an ACL user {@code --user alice on >pw ~* &* +@all}. A server that requires
     * authentication counts as ready when it answers {@code PING} with {@code NOAUTH}.
     */
    public static RedisServerProcess start(String... serverArgs) {
        return start(false, List.of(serverArgs));
    }

    /**
     * Like {@link #start()}, but the data survives {@link #stop()} and {@link #restart()}: an
     * append-only file in the work directory, fsynced on every write, as a Redis deployed with
     * persistence would keep it.
     */
    public static RedisServerProcess startDurable() {
        return start(true, List.of());
    }

    private static RedisServerProcess start(boolean durable, List<String> extraArgs) {
        String executable = findExecutable();
        IllegalStateException lastFailure = null;
        // A free port found by binding port 0 can be taken by someone else before redis-server
        // binds it, so a failed start is retried on another port.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            RedisServerProcess server;
            try {
                server =
                        new RedisServerProcess(
                                executable,
                                Files.createTempDirectory("redis-server-"),
                                findFreePort(),
                                durable,
                                extraArgs);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot prepare a redis-server work directory", e);
            }
            try {
                server.launch();
                Runtime.getRuntime().addShutdownHook(server.shutdownHook);
                return server;
            } catch (IllegalStateException e) {
                server.killQuietly();
                server.deleteWorkDir();
                lastFailure = e;
                LOG.warn("redis-server start attempt {} failed: {}", attempt, e.getMessage());
            }
        }
        throw lastFailure;
    }

    /** The TCP port the server listens on; it stays the same across {@link #restart()}. */
    public int port() {
        return port;
    }

    /** The URL clients connect to: {@code redis://127.0.0.1:PORT}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Whether the server process is currently running. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the server and waits until the process has exited. Idempotent. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LOG.info("redis-server on port {} stopped", port);
        process = null;
    }

    /**
     * Starts the server again on the same port (stopping it first if it runs) and waits until it
     * answers {@code PING}. The new server is empty.
     */
    public void restart() {
        stop();
        launch();
    }

    /** Stops the server, removes the shutdown hook and the work directory. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shutdownInProgress) {
            // The hook runs anyway; nothing to remove.
        }
        deleteWorkDir();
    }

    private void launch() {
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.add("--bind");
        command.add("127.0.0.1");
        command.add("--port");
        command.add(Integer.toString(port));
        command.add("--save");
        command.add("");
        command.add("--appendonly");
        command.add(durable ? "yes" : "no");
        if (durable) {
            command.add("--appendfsync");
            command.add("always");
        }
        command.add("--daemonize");
        command.add("no");
        command.add("--dir");
        command.add(workDir.toString());
        command.addAll(extraArgs);
        File logFile = workDir.resolve("redis.log").toFile();
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + executable, e);
        }
        awaitReady(logFile);
        LOG.info("redis-server (pid {}) ready on port {}", process.pid(), port);
    }

    private void awaitReady(File logFile) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "redis-server on port "
                                + port
                                + " exited with code "
                                + process.exitValue()
                                + ". Its log:\n"
                                + readLog(logFile));
            }
            if (answersPing()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for redis-server", e);
            }
        }
        throw new IllegalStateException(
                "redis-server on port "
                        + port
                        + " did not answer PING within "
                        + READY_TIMEOUT
                        + ". Its log:\n"
                        + readLog(logFile));
    }

    /** Sends an inline PING over a raw socket; the testkit has no Redis client on purpose. */
    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = 0;
            while (read < reply.length) {
                int n = in.read(reply, read, reply.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            // A server still loading answers "-LOADING ..." instead of "+PONG"; one that requires
            // authentication answers "-NOAUTH ...".
            String answer = new String(reply, 0, read, StandardCharsets.US_ASCII);
            return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
        } catch (IOException notYetListening) {
            return false;
        }
    }

    private void killQuietly() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void deleteWorkDir() {
        try (var paths = Files.walk(workDir)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.debug("Could not delete {}", workDir, e);
        }
    }

    private static String readLog(File logFile) {
        try {
            return Files.readString(logFile.toPath());
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String findExecutable() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                File candidate = new File(dir, EXECUTABLE);
                if (candidate.isFile() && candidate.canExecute()) {
                    return candidate.getAbsolutePath();
                }
            }
        }
        throw new IllegalStateException(
                EXECUTABLE
                        + " was not found on the PATH ("
                        + path
                        + "). Install Redis (e.g. 'apt-get install redis-server' or"
                        + " 'brew install redis') to run tests that need a Redis server.");
    }

    private static int findFreePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
