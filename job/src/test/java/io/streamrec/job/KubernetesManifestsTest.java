package io.streamrec.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Keeps the Kubernetes manifests in {@code k8s/} honest about the job they deploy: they must parse,
 * name the topics the job reads and writes, run Flink with the same state backend, checkpointing
 * and restart settings as {@code flink-conf/config.yaml}, pass only options the job knows, start
 * the jar the Dockerfile installs, and never let an upgrade drop state. Long because it checks
 * every manifest against the job's and Flink's own settings, one test per promise.
 */
class KubernetesManifestsTest {

    /** Keys of config.yaml the cluster on Kubernetes must set to the very same value. */
    private static final List<String> SHARED_PREFIXES =
            List.of("state.backend.", "execution.checkpointing.", "restart-strategy.");

    /** Keys that differ on purpose: local /tmp directories on one machine, durable storage on Kubernetes. */
    private static final Set<String> DIRECTORY_KEYS = Set.of(
            "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "high-availability.storageDir");

    /** Keys that differ on purpose: several processes share one machine locally, one process per pod on Kubernetes. */
    private static final Set<String> PER_MACHINE_KEYS = Set.of("metrics.reporter.prom.port");

    /**
     * JVM options: flink-conf/config.yaml replaces Flink's own config.yaml and so carries Flink's
     * whole Java 17 list; on Kubernetes the operator prepends that list (env.java.default-opts.all)
     * and the FlinkDeployment adds only StreamRec's own options.
     */
    private static final Set<String> JVM_OPTION_KEYS = Set.of("env.java.opts.all");

    private static final Set<String> DURABLE_SCHEMES = Set.of("s3://", "s3p://", "gs://", "abfss://", "hdfs://");

    private static Path repo;
    private static Path k8s;
    private static Map<Path, List<Map<String, Object>>> manifests;
    private static Map<String, Object> flinkDeployment;
    private static Map<String, Object> flinkConfiguration;
    private static Map<String, Object> jobSpec;
    private static List<String> args;

    @BeforeAll
    static void loadManifests() throws IOException {
        repo = repositoryRoot();
        k8s = repo.resolve("k8s");
        manifests = new TreeMap<>();
        try (Stream<Path> files = Files.walk(k8s)) {
            for (Path file : files.filter(KubernetesManifestsTest::isYaml).sorted().collect(Collectors.toList())) {
                manifests.put(file, loadAll(file));
            }
        }
        List<Map<String, Object>> deployments = ofKind("FlinkDeployment");
        assertThat(deployments).as("FlinkDeployments in k8s/").hasSize(1);
        flinkDeployment = deployments.get(0);
        flinkConfiguration = map(spec(flinkDeployment).get("flinkConfiguration"));
        jobSpec = map(spec(flinkDeployment).get("job"));
        args = new ArrayList<>();
        for (Object arg : list(jobSpec.get("args"))) {
            args.add(String.valueOf(arg));
        }
    }

    @Test
    void everyYamlFileParsesIntoKubernetesObjects() {
        assertThat(manifests).isNotEmpty();
        manifests.forEach((file, documents) -> {
            assertThat(documents).as("documents in %s", file).isNotEmpty();
            for (Map<String, Object> doc : documents) {
                if (file.getFileName().toString().startsWith("kustomiz")) {
                    continue; // kustomize's own files, not Kubernetes objects
                }
                assertThat(doc).as("object in %s", file).containsKeys("apiVersion", "kind", "metadata");
                assertThat(map(doc.get("metadata"))).as("metadata in %s", file).containsKey("name");
            }
        });
    }

    @Test
    void theKafkaClientPropertiesFileComesFromASecretMountedOnJobManagerAndTaskManagers() {
        String file = jobOptions().get(StreamRecOptions.KAFKA_PROPERTIES_FILE);
        assertThat(file).as("--kafka.properties-file in the job args").isNotBlank();
        Set<String> secrets = new HashSet<>();
        for (Map<String, Object> secret : ofKind("Secret")) {
            String data = String.valueOf(map(secret.get("stringData")).get("client.properties"));
            assertThat(data).as("client.properties of %s", name(secret)).contains("security.protocol=");
            secrets.add(name(secret));
        }
        for (String role : List.of("jobManager", "taskManager")) {
            Map<String, Object> pod = map(map(map(spec(flinkDeployment).get(role)).get("podTemplate")).get("spec"));
            Map<String, String> secretOfVolume = new java.util.HashMap<>();
            for (Object v : list(pod.get("volumes"))) {
                Map<String, Object> volume = map(v);
                if (volume.get("secret") != null) {
                    secretOfVolume.put(String.valueOf(volume.get("name")), String.valueOf(map(volume.get("secret")).get("secretName")));
                }
            }
            boolean mounted = false;
            for (Object c : list(pod.get("containers"))) {
                for (Object m : list(map(c).get("volumeMounts"))) {
                    Map<String, Object> mount = map(m);
                    String secret = secretOfVolume.get(String.valueOf(mount.get("name")));
                    if (secret != null && file.startsWith(mount.get("mountPath") + "/")) {
                        assertThat(secrets).as("Secret %s mounted on the %s", secret, role).contains(secret);
                        mounted = true;
                    }
                }
            }
            assertThat(mounted).as("%s mounts a Secret at the directory of %s", role, file).isTrue();
        }
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        Map<String, Object> kustomization = loadAll(k8s.resolve("kustomization.yaml")).get(0);
        Set<String> listed = new HashSet<>();
        for (Object resource : list(kustomization.get("resources"))) {
            listed.add(String.valueOf(resource));
            assertThat(k8s.resolve(String.valueOf(resource))).as("kustomization resource").exists();
        }
        for (Path file : manifests.keySet()) {
            String name = k8s.relativize(file).toString();
            if (!name.startsWith("kustomiz")) {
                assertThat(listed).as("resources of kustomization.yaml").contains(name);
            }
        }
    }

    @Test
    void kafkaTopicsAreExactlyTheTopicsTheJobUses() {
        StreamRecOptions options = jobOptions();
        Set<String> used = Set.of(
                options.get(StreamRecOptions.TOPIC_INTERACTIONS),
                options.get(StreamRecOptions.TOPIC_DEAD_LETTERS),
                options.get(StreamRecOptions.TOPIC_GRADIENTS),
                options.get(StreamRecOptions.TOPIC_ITEMS));
        Set<String> declared = new HashSet<>();
        for (Map<String, Object> topic : ofKind("KafkaTopic")) {
            assertThat(String.valueOf(topic.get("apiVersion"))).startsWith("kafka.strimzi.io/");
            assertThat(map(map(topic.get("metadata")).get("labels"))).containsKey("strimzi.io/cluster");
            declared.add(topicName(topic));
        }
        assertThat(declared).isEqualTo(used);
    }

    @Test
    void topicsKeepCommittedTransactionsAndTheGradientLoopIsShortLived() {
        Map<String, Map<String, Object>> topics = new LinkedHashMap<>();
        for (Map<String, Object> topic : ofKind("KafkaTopic")) {
            topics.put(topicName(topic), spec(topic));
        }
        for (Map.Entry<String, Map<String, Object>> topic : topics.entrySet()) {
            Map<String, Object> config = map(topic.getValue().get("config"));
            int replicas = ((Number) topic.getValue().get("replicas")).intValue();
            int minIsr = Integer.parseInt(String.valueOf(config.get("min.insync.replicas")));
            assertThat(minIsr).as("min.insync.replicas of %s", topic.getKey()).isGreaterThanOrEqualTo(2).isLessThan(replicas);
        }
        StreamRecOptions options = jobOptions();
        long gradients = retentionMs(topics.get(options.get(StreamRecOptions.TOPIC_GRADIENTS)));
        long interactions = retentionMs(topics.get(options.get(StreamRecOptions.TOPIC_INTERACTIONS)));
        assertThat(Duration.ofMillis(gradients)).as("gradient topic retention")
                .isLessThanOrEqualTo(Duration.ofDays(7))
                .isGreaterThanOrEqualTo(Duration.ofHours(1))
                .isLessThan(Duration.ofMillis(interactions));
    }

    @Test
    void flinkConfigurationAgreesWithFlinkConf() throws IOException {
        Map<String, Object> flinkConf = new TreeMap<>();
        flatten("", loadAll(repo.resolve("flink-conf/config.yaml")).get(0), flinkConf);

        for (Map.Entry<String, Object> entry : flinkConf.entrySet()) {
            String key = entry.getKey();
            boolean shared = SHARED_PREFIXES.stream().anyMatch(key::startsWith);
            if (shared) {
                assertThat(flinkConfiguration).as("flinkConfiguration must set %s like flink-conf/config.yaml", key)
                        .containsKey(key);
            }
            if (flinkConfiguration.containsKey(key) && JVM_OPTION_KEYS.contains(key)) {
                assertThat(List.of(String.valueOf(entry.getValue()).trim().split("\\s+")))
                        .as("%s: every JVM option the FlinkDeployment adds is in flink-conf/config.yaml", key)
                        .containsAll(List.of(String.valueOf(flinkConfiguration.get(key)).trim().split("\\s+")));
            } else if (flinkConfiguration.containsKey(key) && !DIRECTORY_KEYS.contains(key) && !PER_MACHINE_KEYS.contains(key)) {
                assertThat(sameSetting(flinkConfiguration.get(key), entry.getValue()))
                        .as("%s: FlinkDeployment has '%s', flink-conf/config.yaml has '%s'",
                                key, flinkConfiguration.get(key), entry.getValue())
                        .isTrue();
            }
        }
        // spelled out, so a mistake in the generic comparison above cannot hide the essentials
        assertThat(flinkConfiguration.get("state.backend.type")).isEqualTo("rocksdb");
        assertThat(flinkConfiguration.get("execution.checkpointing.mode")).isEqualTo("EXACTLY_ONCE");
        assertThat(String.valueOf(flinkConfiguration.get("execution.checkpointing.incremental"))).isEqualTo("true");
        assertThat(TimeUtils.parseDuration(String.valueOf(flinkConfiguration.get("execution.checkpointing.interval"))))
                .isEqualTo(TimeUtils.parseDuration(String.valueOf(flinkConf.get("execution.checkpointing.interval"))));
        // memory sizes come from the pod resources; a process size here would contradict them
        assertThat(flinkConfiguration).doesNotContainKeys(
                "jobmanager.memory.process.size", "taskmanager.memory.process.size");
    }

    @Test
    void everyPodServesPrometheusMetricsWhereItsAnnotationsSay() throws IOException {
        Map<String, Object> flinkConf = new TreeMap<>();
        flatten("", loadAll(repo.resolve("flink-conf/config.yaml")).get(0), flinkConf);
        String factory = "metrics.reporter.prom.factory.class";
        assertThat(flinkConf.get(factory)).as("flink-conf/config.yaml").isEqualTo(
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(flinkConfiguration.get(factory)).as("FlinkDeployment %s", factory).isEqualTo(flinkConf.get(factory));

        // one process per pod: one fixed port, the one the annotations announce
        String port = String.valueOf(flinkConfiguration.get("metrics.reporter.prom.port"));
        assertThat(port).as("metrics.reporter.prom.port on Kubernetes").matches("\\d+");
        Map<String, Object> podTemplate = map(spec(flinkDeployment).get("podTemplate"));
        Map<String, Object> annotations = map(map(podTemplate.get("metadata")).get("annotations"));
        assertThat(annotations.get("prometheus.io/scrape")).isEqualTo("true");
        assertThat(annotations.get("prometheus.io/port")).isEqualTo(port);
        assertThat(annotations.get("prometheus.io/path")).isEqualTo("/metrics");
        // the pod-wide template must not carry containers: the operator replaces lists instead of
        // merging them by name, which would drop the TaskManager's RocksDB volume mount
        assertThat(map(podTemplate)).doesNotContainKey("spec");

        // the image has the reporter plugin where Flink loads plugins from
        assertThat(dockerfileInstructions()).anyMatch(line -> line.startsWith("RUN ")
                && line.contains("/opt/flink/plugins/metrics-prometheus/flink-metrics-prometheus-"));
    }

    @Test
    void checkpointsSavepointsAndHighAvailabilityAreDurable() {
        assertThat(flinkConfiguration.get("high-availability.type")).isEqualTo("kubernetes");
        for (String key : DIRECTORY_KEYS) {
            String dir = String.valueOf(flinkConfiguration.get(key));
            assertThat(DURABLE_SCHEMES.stream().anyMatch(dir::startsWith))
                    .as("%s = %s must be on durable shared storage", key, dir).isTrue();
        }
        assertThat(String.valueOf(spec(flinkDeployment).get("serviceAccount"))).isNotBlank();
        assertThat(ofKind("ServiceAccount").stream().map(KubernetesManifestsTest::name))
                .contains(String.valueOf(spec(flinkDeployment).get("serviceAccount")));
    }

    @Test
    void upgradesGoThroughSavepointsAndNeverDropState() {
        assertThat(jobSpec.get("upgradeMode")).isEqualTo("savepoint");
        assertThat(jobSpec.get("allowNonRestoredState")).isEqualTo(false);
        assertThat(jobSpec.get("entryClass")).isEqualTo(StreamRecJob.class.getName());
    }

    @Test
    void jobArgsAreKnownValidOptions() {
        Set<String> known = StreamRecOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
        for (int i = 0; i < args.size(); i += 2) {
            String arg = args.get(i);
            assertThat(arg).as("argument %d", i).startsWith("--");
            assertThat(known).as("options of StreamRecOptions").contains(arg.substring(2));
            assertThat(i + 1).as("value of %s", arg).isLessThan(args.size());
        }
        jobOptions(); // parses and validates every value
    }

    @Test
    void transactionTimeoutFitsTheBrokerLimit() {
        assertThat(jobOptions().get(StreamRecOptions.KAFKA_TRANSACTION_TIMEOUT))
                .isLessThanOrEqualTo(Duration.ofMinutes(15))
                .isGreaterThan(Duration.ofMinutes(1));
        assertThat(jobOptions().get(StreamRecOptions.TRANSACTIONAL_ID_PREFIX))
                .as("a transactional id prefix of its own, not the local default")
                .isNotEqualTo(StreamRecOptions.TRANSACTIONAL_ID_PREFIX.defaultValue());
    }

    @Test
    void checkpointAndRetrySettingsCannotLetAGradientTransactionExpire() {
        org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
        flinkConfiguration.forEach((key, value) -> conf.setString(key, String.valueOf(value)));
        // the check the job runs at start (StreamRecJob.configure), on the deployed settings
        TransactionTimeoutCheck.check(
                new org.apache.flink.streaming.api.environment.CheckpointConfig(conf), jobOptions());
    }

    @Test
    void maxParallelismIsFixedAndParallelismComesFromTheSpec() {
        StreamRecOptions options = jobOptions();
        assertThat(options.get(StreamRecOptions.MAX_PARALLELISM))
                .isEqualTo(StreamRecOptions.MAX_PARALLELISM.defaultValue());
        assertThat(flinkConfiguration).doesNotContainKey("pipeline.max-parallelism");
        // --parallelism would override spec.job.parallelism and silently defeat rescaling
        assertThat(args).doesNotContain("--" + StreamRecOptions.PARALLELISM.key());
        int parallelism = ((Number) jobSpec.get("parallelism")).intValue();
        assertThat(parallelism).isBetween(1, options.get(StreamRecOptions.MAX_PARALLELISM));
    }

    @Test
    void jarUriIsTheJarTheDockerfileInstalls() throws IOException {
        List<String> dockerfile = dockerfileInstructions();
        String copy = dockerfile.stream().filter(line -> line.startsWith("COPY ")).findFirst()
                .orElseThrow(() -> new AssertionError("Dockerfile has no COPY"));
        String[] words = copy.split("\\s+");
        String destination = words[words.length - 1];
        assertThat(destination).startsWith("/opt/flink/usrlib/").endsWith(".jar");
        assertThat(jobSpec.get("jarURI")).isEqualTo("local://" + destination);

        String version = pomValue(repo.resolve("pom.xml"), "version");
        String jarArg = dockerfile.stream().filter(line -> line.startsWith("ARG JOB_JAR=")).findFirst()
                .orElseThrow(() -> new AssertionError("Dockerfile has no ARG JOB_JAR"));
        assertThat(jarArg).isEqualTo("ARG JOB_JAR=job/target/streamrec-job-" + version + "-flink.jar");
        assertThat(words[words.length - 2]).isEqualTo("${JOB_JAR}");
    }

    @Test
    void imageRunsTheFlinkVersionTheJobIsBuiltAgainst() throws IOException {
        String[] flinkVersion = pomValue(repo.resolve("pom.xml"), "flink.version").split("\\.");
        String minor = flinkVersion[0] + "." + flinkVersion[1];
        assertThat(spec(flinkDeployment).get("flinkVersion")).isEqualTo("v" + minor.replace('.', '_'));

        List<String> dockerfile = dockerfileInstructions();
        assertThat(dockerfile.get(0)).isEqualTo("FROM flink:" + minor + "-java17");
        assertThat(dockerfile).anyMatch(line -> line.startsWith("RUN ") && line.contains("apt-get install")
                && line.contains("libgfortran5"));
        assertThat(dockerfile).anyMatch(line -> line.contains("/opt/flink/plugins/s3-fs-presto"));
    }

    @Test
    void readmeNamesEveryOperatorUid() throws IOException, IllegalAccessException {
        String readme = Files.readString(k8s.resolve("README.md"));
        for (Field field : OperatorIds.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && !field.getName().startsWith("NAME_")) {
                assertThat(readme).as("k8s/README.md lists the uid of %s", field.getName())
                        .contains("`" + field.get(null) + "`");
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static StreamRecOptions jobOptions() {
        return StreamRecOptions.fromArgs(args.toArray(new String[0]));
    }

    private static boolean isYaml(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> loadAll(Path file) throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object doc : yaml.loadAll(reader)) {
                if (doc == null) {
                    continue;
                }
                if (!(doc instanceof Map)) {
                    fail("%s: a document is not a mapping: %s", file, doc);
                }
                documents.add((Map<String, Object>) doc);
            }
        }
        return documents;
    }

    private static List<Map<String, Object>> ofKind(String kind) {
        return manifests.values().stream().flatMap(List::stream)
                .filter(doc -> kind.equals(doc.get("kind")))
                .collect(Collectors.toList());
    }

    private static String name(Map<String, Object> object) {
        return String.valueOf(map(object.get("metadata")).get("name"));
    }

    private static String topicName(Map<String, Object> topic) {
        Object topicName = spec(topic).get("topicName");
        return topicName != null ? String.valueOf(topicName) : name(topic);
    }

    private static long retentionMs(Map<String, Object> topicSpec) {
        assertThat(topicSpec).as("KafkaTopic").isNotNull();
        return Long.parseLong(String.valueOf(map(topicSpec.get("config")).get("retention.ms")));
    }

    private static Map<String, Object> spec(Map<String, Object> object) {
        return map(object.get("spec"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<?>) value;
    }

    private static void flatten(String prefix, Map<String, Object> nested, Map<String, Object> flat) {
        for (Map.Entry<String, Object> entry : nested.entrySet()) {
            String key = prefix + entry.getKey();
            if (entry.getValue() instanceof Map) {
                flatten(key + ".", map(entry.getValue()), flat);
            } else {
                flat.put(key, entry.getValue());
            }
        }
    }

    /** Equal as text, as durations ("2s" = "2000ms") or as numbers ("2" = "2.0"). */
    private static boolean sameSetting(Object a, Object b) {
        String x = String.valueOf(a).trim();
        String y = String.valueOf(b).trim();
        if (x.equalsIgnoreCase(y)) {
            return true;
        }
        try {
            return TimeUtils.parseDuration(x).equals(TimeUtils.parseDuration(y));
        } catch (IllegalArgumentException notDurations) {
            // fall through
        }
        try {
            return Double.parseDouble(x) == Double.parseDouble(y);
        } catch (NumberFormatException notNumbers) {
            return false;
        }
    }

    /** Instructions of k8s/Dockerfile, continuation lines joined, comments and blank lines dropped. */
    private static List<String> dockerfileInstructions() throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(k8s.resolve("Dockerfile"))) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                instructions.add(current.toString().trim().replaceAll("\\s+", " "));
                current.setLength(0);
            }
        }
        return instructions;
    }

    /** A top-level property or the project version of the root pom. */
    private static String pomValue(Path pom, String element) throws IOException {
        String xml = Files.readString(pom);
        if (element.equals("version")) {
            xml = xml.substring(xml.indexOf("</artifactId>")); // the project's own version, not a parent's
        }
        Matcher matcher = Pattern.compile("<" + Pattern.quote(element) + ">([^<]+)</").matcher(xml);
        assertThat(matcher.find()).as("<%s> in %s", element, pom).isTrue();
        return matcher.group(1).trim();
    }

    private static Path repositoryRoot() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("flink-conf/config.yaml"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("repository root (with flink-conf/config.yaml) above the working directory").isNotNull();
        return dir;
    }
}
