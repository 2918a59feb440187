package io.streamrec.job;

import io.streamrec.sinks.redis.internal.RedisUrl;
import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;
import io.streamrec.testkit.TestCertificates;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The job with every connection encrypted: it reads and writes Kafka through a listener that speaks
 * only TLS (trust store and its password from a properties file, as a Kubernetes Secret provides
 * them) and writes Redis over {@code rediss://} with a password and a private CA
 * ({@code redis.tls.ca-file}). Every event reaches Redis; a plaintext client is refused by the TLS
 * listener; neither secret shows in the job's configuration or exceptions in the REST API.
 * Certificates are made by openssl for the test; without openssl the test is skipped, saying so.
 */
class TlsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    private static final String REDIS_PASSWORD = "redis-pw-7a41";

    private static Path dir;
    private static TestCertificates certs;
    private static EmbeddedKafka kafka;
    private static RedisServerProcess redis;
    private static int redisTlsPort;

    @BeforeAll
    static void start() throws Exception {
        String reason = TestCertificates.unavailableReason();
        assumeTrue(reason == null, reason);
        dir = Files.createTempDirectory("streamrec-tls-it");
        certs = TestCertificates.create(dir);
        kafka = EmbeddedKafka.startWithTls(certs.keyStore(), TestCertificates.STORE_PASSWORD);
        try (ServerSocket s = new ServerSocket(0)) {
            redisTlsPort = s.getLocalPort();
        }
        redis = RedisServerProcess.start("--requirepass", REDIS_PASSWORD, "--tls-port", Integer.toString(redisTlsPort),
                "--tls-cert-file", certs.certificatePem().toString(), "--tls-key-file", certs.keyPem().toString(),
                "--tls-ca-cert-file", certs.certificatePem().toString(), "--tls-auth-clients", "no");
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void runsWithKafkaAndRedisOverTlsAndNeverShowsTheSecrets() throws Exception {
        Path clientSettings = dir.resolve("kafka-client.properties");
        Files.writeString(clientSettings, String.join("\n",
                "security.protocol=SSL",
                "ssl.truststore.location=" + certs.trustStore(),
                "ssl.truststore.type=PKCS12",
                "ssl.truststore.password=" + TestCertificates.STORE_PASSWORD));

        JobTestSupport.Topics topics = JobTestSupport.topics(kafka, "tls");
        StreamRecJobITCase.TestData data = StreamRecJobITCase.TestData.generate(20, 40, 300, 13);
        JobTestSupport.produce(kafka, topics.interactions(), data.payloads);

        String redisUrl = "rediss://:" + REDIS_PASSWORD + "@127.0.0.1:" + redisTlsPort;
        Map<String, String> values = new HashMap<>(JobTestSupport.options(kafka, redis, topics, "tls:").toMap());
        values.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), kafka.tlsBootstrapServers());
        values.put(StreamRecOptions.KAFKA_PROPERTIES_FILE.key(), clientSettings.toString());
        values.put(StreamRecOptions.REDIS_URL.key(), redisUrl);
        values.put(StreamRecOptions.REDIS_TLS_CA_FILE.key(), certs.certificatePem().toString());
        StreamRecOptions options = StreamRecOptions.fromMap(values);
        assertThat(options.toString()).doesNotContain(REDIS_PASSWORD, TestCertificates.STORE_PASSWORD);

        RedisUrl url = RedisUrl.parse(redisUrl).withCaFile(certs.certificatePem().toString());
        JobClient job = JobTestSupport.start(options, StreamRecJob.redisSink(options), "TLS ITCase");
        try (Jedis jedis = new Jedis(url.hostAndPort(), url.clientConfig(Duration.ofSeconds(5), "tls-it"))) {
            JobTestSupport.await(() -> JobTestSupport.countsMatch(jedis, "tls:", data.expectedPerUser, data.expectedPerItem),
                    180, "every count in Redis, read from Kafka and written to Redis over TLS");
            Configuration client = CLUSTER.getClientConfiguration();
            assertThat(JobTestSupport.rest(client, "/jobs/" + job.getJobID() + "/config")).contains("execution-config")
                    .doesNotContain(REDIS_PASSWORD, TestCertificates.STORE_PASSWORD);
            assertThat(JobTestSupport.exceptionHistory(client, job.getJobID()))
                    .doesNotContain(REDIS_PASSWORD, TestCertificates.STORE_PASSWORD);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void theTlsListenerRefusesPlaintextClients() {
        kafka.createTopic("tls-probe", 1);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.tlsBootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(p)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS)).isNotNull();
        }
        p.put("security.protocol", "SSL");
        p.put("ssl.truststore.location", certs.trustStore().toString());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.password", TestCertificates.STORE_PASSWORD);
        try (Admin admin = Admin.create(p)) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("tls-probe");
        } catch (Exception e) {
            throw new AssertionError("a TLS client trusting the test CA must be served", e);
        }
    }
}
