package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RedisServerProcessTest {

    @Test
    void answersOnAFreePortAndComesBackOnTheSamePortAfterRestart() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            int port = redis.port();
            assertThat(port).isNotEqualTo(6379);
            assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + port);
            assertThat(send(port, "SET greeting hello")).isEqualTo("+OK");

            redis.stop();
            assertThat(redis.isRunning()).isFalse();
            assertThat(canConnect(port)).isFalse();

            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(send(port, "PING")).isEqualTo("+PONG");
            // Nothing is persisted: the restarted server is empty.
            assertThat(send(port, "EXISTS greeting")).isEqualTo(":0");
        }
    }

    @Test
    void closeKillsTheProcess() {
        RedisServerProcess redis = RedisServerProcess.start();
        int port = redis.port();
        redis.close();
        assertThat(redis.isRunning()).isFalse();
        assertThat(canConnect(port)).isFalse();
    }

    private static String send(int port, String inlineCommand) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write((inlineCommand + "\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\r') {
                line.append((char) c);
            }
            return line.toString();
        }
    }

    private static boolean canConnect(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
