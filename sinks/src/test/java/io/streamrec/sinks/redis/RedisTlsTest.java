package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamrec.sinks.redis.internal.RedisUrl;
import io.streamrec.testkit.RedisServerProcess;
import io.streamrec.testkit.TestCertificates;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The sink against a redis-server that accepts clients only over TLS, with a certificate made for
 * the test by a private CA: with {@code rediss://}, the password and the CA file every write lands;
 * a plaintext client, and a TLS client that trusts only the JVM's default authorities, are refused.
 */
class RedisTlsTest {

    private static final String PASSWORD = "pw-tls-51d2";

    @TempDir
    Path dir;

    private RedisServerProcess redis;

    @AfterEach
    void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void writesOverTlsTrustingTheGivenCaAndIsRefusedOtherwise() throws Exception {
        String reason = TestCertificates.unavailableReason();
        assumeTrue(reason == null, reason);
        TestCertificates certs = TestCertificates.create(dir);
        int tlsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            tlsPort = s.getLocalPort();
        }
        redis = RedisServerProcess.start("--requirepass", PASSWORD, "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certs.certificatePem().toString(), "--tls-key-file", certs.keyPem().toString(),
                "--tls-ca-cert-file", certs.certificatePem().toString(), "--tls-auth-clients", "no");
        String url = "rediss://:" + PASSWORD + "@127.0.0.1:" + tlsPort;
        String ca = certs.certificatePem().toString();

        RedisAuthenticationTest.commit(RedisUrl.parse(url).withCaFile(ca), Duration.ofSeconds(10), RedisCommitterTest.userLists(6, 1));
        try (Jedis jedis = new Jedis(RedisUrl.parse(url).withCaFile(ca).hostAndPort(),
                RedisUrl.parse(url).withCaFile(ca).clientConfig(Duration.ofSeconds(5), "test-reader"))) {
            assertThat(jedis.hget("rec:user-4:meta", "version")).isEqualTo("1");
            assertThat(jedis.zcard("rec:user-4")).isEqualTo(2);
        }

        // the TLS port does not speak plaintext
        try (Jedis plain = new Jedis("redis://:" + PASSWORD + "@127.0.0.1:" + tlsPort, 1000)) {
            assertThatThrownBy(plain::ping).as("plaintext client on the TLS port").isNotNull();
        }
        // without the CA file the JVM's trust store does not know the test CA
        assertThatThrownBy(() -> RedisAuthenticationTest.commit(RedisUrl.parse(url), Duration.ofMillis(800), RedisCommitterTest.userLists(6, 2)))
                .hasMessageContaining("Gave up writing 6 lists")
                .satisfies(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain(PASSWORD));
    }

    @Test
    void aMissingCaFileIsReportedByName() {
        assertThatThrownBy(() -> RedisUrl.parse("rediss://127.0.0.1:1").withCaFile("/nonexistent/ca.pem")
                .clientConfig(Duration.ofSeconds(1), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read the CA file /nonexistent/ca.pem");
    }
}
