package io.streamrec.cli.chaos;

import io.streamrec.testkit.EmbeddedKafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A single-node KRaft Kafka broker in its own JVM ({@code kafka.Kafka server.properties}, from the
 * CLI's classpath), with fixed ports and a log directory that outlive the process, so that the
 * broker can be stopped and started again as an operator would restart it: same address, same
 * topics, same transaction state. The settings are {@link EmbeddedKafka}'s.
 *
 * <p>Not thread-safe: start and stop from one thread.
 */
final class KafkaBrokerProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final int brokerPort;
    private Process process;

    private KafkaBrokerProcess(Path dir, int brokerPort) {
        this.dir = dir;
        this.brokerPort = brokerPort;
    }

    /** Formats {@code dir/log}, writes {@code dir/server.properties} on free ports and starts the broker. */
    static KafkaBrokerProcess start(Path dir) {
        try {
            Files.createDirectories(dir);
            int brokerPort = freePort();
            int controllerPort = freePort();
            String logDir = dir.resolve("log").toString();
            Properties p = EmbeddedKafka.brokerProperties(logDir, brokerPort, controllerPort);
            try (OutputStream out = Files.newOutputStream(dir.resolve("server.properties"))) {
                p.store(out, "single-node broker of bin/streamrec chaos");
            }
            EmbeddedKafka.format(logDir);
            KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, brokerPort);
            broker.launch();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka broker in " + dir, e);
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the broker process (again) and waits until its listener accepts connections. */
    void launch() {
        if (isRunning()) {
            throw new IllegalStateException("the Kafka broker is already running");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "-Xmx512m",
                "-Dlog4j2.configurationFile=" + writeLogConfig(), "-cp", System.getProperty("java.class.path"),
                "kafka.Kafka", dir.resolve("server.properties").toString()))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.out").toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka broker", e);
        }
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!accepts()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited with " + process.exitValue() + "; see "
                        + dir.resolve("broker.out"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker did not listen within " + READY_TIMEOUT + "; see "
                        + dir.resolve("broker.out"));
            }
            Waits.sleep(200);
        }
    }

    /** Stops the broker: SIGTERM (a controlled shutdown), SIGKILL if it has not exited after 60 s. */
    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    private Path writeLogConfig() {
        Path file = dir.resolve("log4j2.properties");
        try {
            Files.writeString(file, String.join("\n",
                    "rootLogger.level = WARN",
                    "rootLogger.appenderRef.out.ref = Out",
                    "appender.out.name = Out",
                    "appender.out.type = Console",
                    "appender.out.layout.type = PatternLayout",
                    "appender.out.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c - %m%n",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), brokerPort), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
