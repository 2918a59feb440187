package io.streamrec.job;

import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The job against a Kafka listener that requires SASL authentication, with the credentials in a
 * properties file ({@code --kafka.properties-file}) as a Kubernetes Secret would provide them: every
 * event reaches Redis, a client without or with wrong credentials is refused, and the password is
 * in none of the logs, the job's configuration in the REST API, or its exceptions.
 */
class KafkaSecurityITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    private static final String USER = "streamrec";
    private static final String PASSWORD = "pw-" + UUID.randomUUID();

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.startedWith(() -> EmbeddedKafka.startWithSaslPlain(USER, PASSWORD), RedisServerProcess::start);

    @Test
    void runsAgainstASaslListenerWithCredentialsFromAFileAndNeverShowsThem(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        StringWriter log = new StringWriter();
        WriterAppender appender = captureAllLogsAtInfo(log);
        try {
            Path secrets = dir.resolve("kafka.properties");
            Files.writeString(secrets, String.join("\n",
                    "security.protocol=SASL_PLAINTEXT",
                    "sasl.mechanism=PLAIN",
                    "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
                            + "username=\"" + USER + "\" password=\"" + PASSWORD + "\";"));

            JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "sasl");
            StreamRecJobITCase.TestData data = StreamRecJobITCase.TestData.generate(20, 40, 300, 11);
            JobTestSupport.produce(INFRA.kafka(), topics.interactions(), data.payloads);

            Map<String, String> values = new HashMap<>(JobTestSupport.options(INFRA.kafka(), INFRA.redis(), topics, "sec:").toMap());
            values.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), INFRA.kafka().saslBootstrapServers());
            values.put(StreamRecOptions.KAFKA_PROPERTIES_FILE.key(), secrets.toString());
            StreamRecOptions options = StreamRecOptions.fromMap(values);
            assertThat(options.toString()).doesNotContain(PASSWORD);

            JobClient job = JobTestSupport.start(options, StreamRecJob.redisSink(options), "kafka security ITCase");
            try (Jedis jedis = new Jedis(INFRA.redis().url())) {
                JobTestSupport.await(() -> JobTestSupport.countsMatch(jedis, "sec:", data.expectedPerUser, data.expectedPerItem),
                        180, "every count in Redis, read and written through the SASL listener");
                Configuration client = CLUSTER.getClientConfiguration();
                assertThat(JobTestSupport.rest(client, "/jobs/" + job.getJobID() + "/config")).contains("execution-config").doesNotContain(PASSWORD);
                assertThat(JobTestSupport.exceptionHistory(client, job.getJobID())).doesNotContain(PASSWORD);
            } finally {
                job.cancel().get();
            }
        } finally {
            stopCapture(appender);
        }
        assertThat(log.toString()).as("captured log").contains("SASL_PLAINTEXT").doesNotContain(PASSWORD);
    }

    @Test
    void theListenerRefusesClientsWithoutOrWithWrongCredentials() throws Exception {
        assertThatThrownBy(() -> listTopics(Map.of())).as("no credentials").isNotNull();
        assertThatThrownBy(() -> listTopics(Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"" + USER + "\" password=\"wrong\";")))
                .hasStackTraceContaining("Authentication failed");
        // and the right ones work
        assertThat(listTopicsWith(PASSWORD)).isNotNull();
    }

    @Test
    void refusesKafkaSettingsTheJobOwns() {
        assertThatThrownBy(() -> StreamRecOptions.fromMap(Map.of("kafka.properties.isolation.level", "read_uncommitted")))
                .hasMessageContaining("'isolation.level' is set by the job");
    }

    private static java.util.Set<String> listTopicsWith(String password) throws Exception {
        return listTopics(Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"" + USER + "\" password=\"" + password + "\";"));
    }

    private static java.util.Set<String> listTopics(Map<String, String> security) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, INFRA.kafka().saslBootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.putAll(security);
        try (Admin admin = Admin.create(p)) {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS);
        }
    }

    private static final Map<String, org.apache.logging.log4j.core.Appender> DETACHED = new HashMap<>();

    private static WriterAppender captureAllLogsAtInfo(StringWriter out) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        WriterAppender appender = WriterAppender.newBuilder()
                .setName("secret-check")
                .setTarget(out)
                .setLayout(PatternLayout.newBuilder().withPattern("%c %m%n").build())
                .build();
        appender.start();
        // the capture replaces the console while it lasts, so that INFO does not flood the build output
        var root = context.getConfiguration().getRootLogger();
        for (String name : java.util.List.copyOf(root.getAppenders().keySet())) {
            DETACHED.put(name, root.getAppenders().get(name));
            root.removeAppender(name);
        }
        context.getConfiguration().addAppender(appender);
        context.getConfiguration().getRootLogger().addAppender(appender, Level.INFO, null);
        Configurator.setRootLevel(Level.INFO);
        // Kafka's client config dumps (where a secret would show) are at INFO in these loggers
        Configurator.setLevel("org.apache.kafka.clients", Level.INFO);
        Configurator.setLevel("org.apache.kafka.common.config", Level.INFO);
        context.updateLoggers();
        return appender;
    }

    private static void stopCapture(WriterAppender appender) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        var root = context.getConfiguration().getRootLogger();
        root.removeAppender(appender.getName());
        DETACHED.forEach((name, detached) -> root.addAppender(detached, null, null));
        DETACHED.clear();
        Configurator.setRootLevel(Level.WARN);
        context.updateLoggers();
        appender.stop();
    }
}
