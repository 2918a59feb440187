package io.streamrec.cli.cluster;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A Flink standalone session cluster on this machine: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}),
 * each a separate JVM started from the Maven-resolved jars in {@code cli/target/cluster-classpath.txt}
 * with the memory flags Flink's own scripts would compute ({@code BashJavaUtils}' process specs) and
 * the Java 17 {@code --add-opens} list; plus, optionally, a local Kafka broker and Redis server in a
 * third kind of process ({@link LocalServices}).
 *
 * <p>Everything the cluster owns lives in its state directory ({@code .streamrec/cluster/} by
 * default): the generated {@code conf/config.yaml} (from {@code flink-conf/config.yaml} with local
 * ports and directories), {@code logs/}, {@code checkpoints/}, {@code savepoints/}, and
 * {@code cluster.properties} with the pids and addresses, so that a later command (another JVM) can
 * {@link #attach} to it. Processes outlive the command that started them. Before signalling a pid
 * the cluster checks that the process is still one of its own (its command line carries the state
 * directory), so a recycled pid is never killed.
 *
 * <p>Not thread-safe; one command at a time per state directory.
 *
 * <p>Long because it runs several processes (JobManager, TaskManagers, services) with their
 * classpaths, JVM options, ports, logs, state file and shutdown; splitting the process launcher
 * from the state file is open (issue 8).
 */
public final class LocalCluster {

    static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String STATE_FILE = "cluster.properties";

    /**
     * The JVM options of every process: those Flink's distribution passes on Java 17 ({@code
     * env.java.opts.all}), plus {@code --add-modules=jdk.incubator.vector} for the default top-N
     * kernel. Equal to {@code env.java.opts.all} of {@code flink-conf/config.yaml} (LocalClusterTest).
     */
    static final List<String> JAVA17_OPTIONS = List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
            "--add-modules=jdk.incubator.vector");

    static final String PROMETHEUS_FACTORY = "metrics.reporter.prom.factory.class";
    static final String PROMETHEUS_PORT = "metrics.reporter.prom.port";
    static final int PROMETHEUS_FIRST_PORT = 9249;

    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path stateDir;
    private final Properties state;

    private LocalCluster(Path stateDir, Properties state) {
        this.stateDir = stateDir;
        this.state = state;
    }

    // ------------------------------------------------------------------ settings

    /** How to start a cluster. */
    public static final class Settings {
        final Path home;
        Path stateDir;
        Path classpathFile;
        int taskManagers = 2;
        int restPort = 8081;
        boolean services = true;
        String kafkaBootstrap;
        String redisUrl;
        final Map<String, String> flinkOverrides = new LinkedHashMap<>();

        /** @param home the StreamRec checkout (holds {@code flink-conf/} and {@code cli/target/}) */
        public Settings(Path home) {
            this.home = home.toAbsolutePath().normalize();
            this.stateDir = this.home.resolve(".streamrec").resolve("cluster");
            this.classpathFile = this.home.resolve("cli").resolve("target").resolve("cluster-classpath.txt");
            // A TaskManager killed on this machine is noticed within seconds instead of ~50 s.
            flinkOverrides.put("heartbeat.interval", "2 s");
            flinkOverrides.put("heartbeat.timeout", "15 s");
        }

        public Settings stateDir(Path dir) { this.stateDir = dir.toAbsolutePath().normalize(); return this; }
        public Settings taskManagers(int n) { this.taskManagers = n; return this; }
        /** Preferred REST/web UI port; a free one is used when it is taken (0: any free port). */
        public Settings restPort(int port) { this.restPort = port; return this; }
        /** Whether to start the local Kafka and Redis process (off: give their addresses, or none). */
        public Settings services(boolean start) { this.services = start; return this; }
        public Settings kafkaBootstrap(String bootstrap) { this.kafkaBootstrap = bootstrap; return this; }
        public Settings redisUrl(String url) { this.redisUrl = url; return this; }
        /** A Flink setting that replaces the one in {@code flink-conf/config.yaml}. */
        public Settings flink(String key, String value) { flinkOverrides.put(key, value); return this; }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Writes the configuration, starts the local services (if asked), the JobManager and the
     * TaskManagers, and returns once the REST API reports all TaskManagers registered.
     *
     * @throws IllegalStateException if a cluster with this state directory is already running, or a
     *                               process did not come up (its log is named in the message)
     */
    public static LocalCluster start(Settings settings) {
        Optional<LocalCluster> existing = attach(settings.stateDir);
        if (existing.isPresent() && existing.get().anyProcessAlive()) {
            throw new IllegalStateException("a cluster is already running from " + settings.stateDir
                    + " (bin/streamrec cluster status / stop)");
        }
        if (!Files.isRegularFile(settings.classpathFile)) {
            throw new IllegalStateException(settings.classpathFile + " is missing: build first (mvn -DskipTests install)");
        }
        try {
            for (String dir : List.of("conf", "logs", "tmp", "web-upload", "checkpoints", "savepoints")) {
                Files.createDirectories(settings.stateDir.resolve(dir));
            }
            Properties state = new Properties();
            LocalCluster cluster = new LocalCluster(settings.stateDir, state);
            state.setProperty("classpath", Files.readString(settings.classpathFile).trim());
            state.setProperty("home", settings.home.toString());

            cluster.writeLog4jConfiguration();
            if (settings.services) {
                cluster.startServices();
            } else {
                if (settings.kafkaBootstrap != null) {
                    state.setProperty("kafka.bootstrap", settings.kafkaBootstrap);
                }
                if (settings.redisUrl != null) {
                    state.setProperty("redis.url", settings.redisUrl);
                }
            }

            Configuration conf = cluster.writeConfiguration(settings);
            state.setProperty("rest.url", "http://localhost:" + conf.getString("rest.port", "8081"));
            cluster.save();

            List<String> jobManagerConfigs = jobManagerDynamicConfigs(conf);
            cluster.prometheusPort("jobmanager", conf, jobManagerConfigs);
            long pid = cluster.launch("jobmanager", JOB_MANAGER_MAIN, jobManagerJvmOptions(conf), jobManagerConfigs);
            state.setProperty("pid.jobmanager", Long.toString(pid));
            cluster.save();
            for (int i = 0; i < settings.taskManagers; i++) {
                cluster.startTaskManager();
            }
            cluster.awaitTaskManagers(settings.taskManagers, START_TIMEOUT);
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cluster last started from {@code stateDir}, if its state file exists (it may be stopped). */
    public static Optional<LocalCluster> attach(Path stateDir) {
        Path file = stateDir.resolve(STATE_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties state = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            state.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(new LocalCluster(stateDir.toAbsolutePath().normalize(), state));
    }

    /**
     * Starts one more TaskManager (also a replacement for a lost one) and returns its name, e.g.
     * {@code taskmanager-3}; its Flink resource id is the same name, so REST answers (which
     * TaskManager runs which subtask) map back to the process.
     */
    public String startTaskManager() {
        Configuration conf = GlobalConfiguration.loadConfiguration(stateDir.resolve("conf").toString());
        int index = Integer.parseInt(state.getProperty("taskmanagers.started", "0")) + 1;
        String name = "taskmanager-" + index;
        List<String> dynamic = new ArrayList<>(taskManagerDynamicConfigs(conf));
        dynamic.add("-D");
        dynamic.add("taskmanager.resource-id=" + name);
        prometheusPort(name, conf, dynamic);
        long pid = launch(name, TASK_MANAGER_MAIN, taskManagerJvmOptions(conf), dynamic);
        state.setProperty("taskmanagers.started", Integer.toString(index));
        state.setProperty("pid." + name, Long.toString(pid));
        save();
        return name;
    }

    /**
     * When {@code config.yaml} configures the Prometheus reporter ({@code metrics.reporter.prom.*}),
     * gives the process a free port of its own (the next one from 9249 on, so that several processes,
     * and other clusters, on one machine never compete for a range), passes it as a dynamic
     * setting, remembers it, and rewrites {@code prometheus.yml}.
     */
    private void prometheusPort(String name, Configuration conf, List<String> dynamicConfigs) {
        if (!conf.containsKey(PROMETHEUS_FACTORY)) {
            return;
        }
        int taken = state.stringPropertyNames().stream().filter(k -> k.startsWith("prometheus."))
                .mapToInt(k -> Integer.parseInt(state.getProperty(k))).max().orElse(PROMETHEUS_FIRST_PORT - 1);
        int port = freePort(Math.max(PROMETHEUS_FIRST_PORT, taken + 1));
        dynamicConfigs.add("-D");
        dynamicConfigs.add(PROMETHEUS_PORT + "=" + port);
        state.setProperty("prometheus." + name, Integer.toString(port));
        writePrometheusConfig();
    }

    /**
     * The Prometheus endpoints ({@code http://localhost:PORT/metrics}) of the cluster's JobManager
     * and TaskManagers that are running, by process name; empty when the reporter is not configured.
     */
    public Map<String, String> prometheusEndpoints() {
        Map<String, String> endpoints = new LinkedHashMap<>();
        for (String name : processNames()) {
            String port = state.getProperty("prometheus." + name);
            if (port != null && isAlive(name)) {
                endpoints.put(name, "http://localhost:" + port + "/metrics");
            }
        }
        return endpoints;
    }

    /** A Prometheus configuration that scrapes every process of the cluster ever started. */
    public Path prometheusConfig() {
        return stateDir.resolve("prometheus.yml");
    }

    private void writePrometheusConfig() {
        List<String> targets = new ArrayList<>();
        for (String key : new TreeSet<>(state.stringPropertyNames())) {
            if (key.startsWith("prometheus.")) {
                targets.add("'localhost:" + state.getProperty(key) + "'");
            }
        }
        try {
            Files.writeString(prometheusConfig(), String.join("\n",
                    "# Written by bin/streamrec cluster start: prometheus --config.file=" + prometheusConfig(),
                    "global:",
                    "  scrape_interval: 5s",
                    "scrape_configs:",
                    "  - job_name: streamrec-local",
                    "    static_configs:",
                    "      - targets: [" + String.join(", ", targets) + "]",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until at least {@code count} TaskManagers are registered, with all their slots. */
    public void awaitTaskManagers(int count, Duration timeout) {
        FlinkRestClient rest = rest();
        int slotsPerTaskManager = GlobalConfiguration.loadConfiguration(stateDir.resolve("conf").toString())
                .get(TaskManagerOptions.NUM_TASK_SLOTS);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!rest.isReady(count, count * slotsPerTaskManager)) {
            for (String name : processNames()) {
                if (!isAlive(name)) {
                    throw new IllegalStateException(name + " exited during start; see " + logFile(name));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cluster did not report " + count + " TaskManagers within "
                        + timeout + "; see " + stateDir.resolve("logs"));
            }
            sleep(250);
        }
    }

    /**
     * Kills a process of the cluster with SIGKILL (no shutdown hooks, no deregistration): what a
     * machine or container loss looks like to Flink. For failure tests and drills.
     */
    public void kill(String name) {
        ProcessHandle handle = ownProcess(name).orElseThrow(() -> new IllegalStateException(name + " is not running"));
        handle.destroyForcibly();
        try {
            handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(name + " did not exit after SIGKILL", e);
        }
    }

    /**
     * Stops TaskManagers, the JobManager and the services (SIGTERM, then SIGKILL after 30 s).
     * Running jobs are not stopped with a savepoint first; their last retained checkpoint stays in
     * {@code checkpoints/}.
     */
    public void stop() {
        List<String> order = new ArrayList<>();
        processNames().stream().filter(n -> n.startsWith("taskmanager-")).forEach(order::add);
        order.add("jobmanager");
        order.add("services");
        for (String name : order) {
            ownProcess(name).ifPresent(ProcessHandle::destroy);
            ownProcess(name).ifPresent(handle -> {
                try {
                    handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    handle.destroyForcibly();
                }
            });
        }
    }

    // ------------------------------------------------------------------ state

    public Path stateDir() {
        return stateDir;
    }

    public String restUrl() {
        return state.getProperty("rest.url");
    }

    public FlinkRestClient rest() {
        return new FlinkRestClient(restUrl());
    }

    public Optional<String> kafkaBootstrap() {
        return Optional.ofNullable(state.getProperty("kafka.bootstrap"));
    }

    public Optional<String> redisUrl() {
        return Optional.ofNullable(state.getProperty("redis.url"));
    }

    /** The StreamRec checkout the cluster was started from. */
    public Path home() {
        return Path.of(state.getProperty("home"));
    }

    /** A value the commands remember between runs (last job id, last savepoint). */
    public Optional<String> remembered(String key) {
        return Optional.ofNullable(state.getProperty("remember." + key));
    }

    public void remember(String key, String value) {
        state.setProperty("remember." + key, value);
        save();
    }

    /**
     * Remembers the job options a job was submitted with, so that later commands ({@code produce},
     * {@code status}) check records against the same rules and read the same topics.
     */
    public void rememberJobOptions(String jobId, Map<String, String> options) {
        state.stringPropertyNames().stream().filter(k -> k.startsWith("job.option.")).toList().forEach(state::remove);
        state.setProperty("job.options.of", jobId);
        options.forEach((k, v) -> state.setProperty("job.option." + k, v));
        save();
    }

    /** The options of the job last submitted with {@code bin/streamrec submit}, and its id; empty if none. */
    public Map<String, String> lastJobOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        for (String key : new TreeSet<>(state.stringPropertyNames())) {
            if (key.startsWith("job.option.")) {
                options.put(key.substring("job.option.".length()), state.getProperty(key));
            }
        }
        return options;
    }

    /** The id of the job whose options {@link #lastJobOptions()} holds. */
    public Optional<String> lastJobOptionsOf() {
        return Optional.ofNullable(state.getProperty("job.options.of"));
    }

    /** Names of the processes started from this state directory: jobmanager, taskmanager-N, services. */
    public List<String> processNames() {
        List<String> names = new ArrayList<>();
        for (String key : new TreeSet<>(state.stringPropertyNames())) {
            if (key.startsWith("pid.")) {
                names.add(key.substring(4));
            }
        }
        return names;
    }

    public Optional<Long> pid(String name) {
        return Optional.ofNullable(state.getProperty("pid." + name)).map(Long::parseLong);
    }

    public boolean isAlive(String name) {
        return ownProcess(name).isPresent();
    }

    public boolean anyProcessAlive() {
        return processNames().stream().anyMatch(this::isAlive);
    }

    public Path logFile(String name) {
        return stateDir.resolve("logs").resolve(name + ".log");
    }

    /** The process, if it runs and is still ours: its command line names this state directory. */
    private Optional<ProcessHandle> ownProcess(String name) {
        return pid(name)
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker())).orElse(false));
    }

    private String marker() {
        return "-Dstreamrec.cluster=" + stateDir;
    }

    private void save() {
        Path file = stateDir.resolve(STATE_FILE);
        Path tmp = stateDir.resolve(STATE_FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            state.store(out, "bin/streamrec cluster: pids and addresses (do not edit while the cluster runs)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ configuration

    private Configuration writeConfiguration(Settings settings) throws IOException {
        Configuration conf = GlobalConfiguration.loadConfiguration(settings.home.resolve("flink-conf").toString());
        int restPort = freePort(settings.restPort);
        conf.setString("rest.port", Integer.toString(restPort));
        conf.setString("rest.bind-port", Integer.toString(restPort));
        conf.setString("jobmanager.rpc.port", Integer.toString(freePort(6123)));
        conf.setString("execution.checkpointing.dir", stateDir.resolve("checkpoints").toUri().toString());
        conf.setString("execution.checkpointing.savepoint-dir", stateDir.resolve("savepoints").toUri().toString());
        conf.setString("io.tmp.dirs", stateDir.resolve("tmp").toString());
        conf.setString("web.upload.dir", stateDir.resolve("web-upload").toString());
        settings.flinkOverrides.forEach(conf::setString);

        Files.write(stateDir.resolve("conf").resolve("config.yaml"),
                ConfigurationUtils.convertConfigToWritableLines(conf, false));
        return GlobalConfiguration.loadConfiguration(stateDir.resolve("conf").toString());
    }

    /** One log file per process ({@code -Dlog.file}); Kafka clients inside the job log at WARN. */
    private void writeLog4jConfiguration() throws IOException {
        Files.writeString(stateDir.resolve("conf").resolve("log4j.properties"), String.join("\n",
                "# Written by bin/streamrec cluster start: one log file per process (log.file).",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "appender.main.name = MainAppender",
                "appender.main.type = File",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                ""));
    }

    static List<String> jobManagerJvmOptions(Configuration conf) {
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);
        return split(JobManagerProcessUtils.generateJvmParametersStr(spec, conf));
    }

    static List<String> jobManagerDynamicConfigs(Configuration conf) {
        return split(JobManagerProcessUtils.generateDynamicConfigsStr(JobManagerProcessUtils.processSpecFromConfig(conf)));
    }

    static List<String> taskManagerJvmOptions(Configuration conf) {
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        return split(ProcessMemoryUtils.generateJvmParametersStr(spec));
    }

    static List<String> taskManagerDynamicConfigs(Configuration conf) {
        return split(TaskExecutorProcessUtils.generateDynamicConfigsStr(TaskExecutorProcessUtils.processSpecFromConfig(conf)));
    }

    private static List<String> split(String flags) {
        return new ArrayList<>(Arrays.asList(flags.trim().split("\\s+")));
    }

    // ------------------------------------------------------------------ processes

    private long launch(String name, String mainClass, List<String> jvmOptions, List<String> programArgs) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.addAll(JAVA17_OPTIONS);
        command.add(marker());
        command.add("-Dlog.file=" + logFile(name));
        command.add("-Dlog4j.configurationFile=file:" + stateDir.resolve("conf").resolve("log4j.properties"));
        command.add("-cp");
        command.add(state.getProperty("classpath"));
        command.add(mainClass);
        command.add("--configDir");
        command.add(stateDir.resolve("conf").toString());
        command.addAll(programArgs);
        return spawn(name, command);
    }

    private long spawn(String name, List<String> command) {
        try {
            Path out = stateDir.resolve("logs").resolve(name + ".out");
            Process process = new ProcessBuilder(command)
                    .directory(stateDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            return process.pid();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /**
     * Starts {@link LocalServices} (Kafka + Redis) with this JVM's own classpath (the CLI's, which
     * has the testkit) and waits for the addresses it publishes.
     */
    private void startServices() throws IOException {
        Path addresses = stateDir.resolve("services.properties");
        Files.deleteIfExists(addresses);
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Xmx512m");
        command.addAll(JAVA17_OPTIONS);
        command.add(marker());
        command.add("-Dlog.file=" + logFile("services"));
        command.add("-Dlog4j.configurationFile=file:" + stateDir.resolve("conf").resolve("log4j.properties"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LocalServices.class.getName());
        command.add(addresses.toString());
        long pid = spawn("services", command);
        state.setProperty("pid.services", Long.toString(pid));
        save();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.isRegularFile(addresses)) {
            if (!isAlive("services")) {
                throw new IllegalStateException("the Kafka/Redis process exited; see "
                        + stateDir.resolve("logs").resolve("services.out"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka/Redis did not start within " + START_TIMEOUT);
            }
            sleep(200);
        }
        Properties published = new Properties();
        try (InputStream in = Files.newInputStream(addresses)) {
            published.load(in);
        }
        state.setProperty("kafka.bootstrap", published.getProperty("kafka.bootstrap"));
        state.setProperty("redis.url", published.getProperty("redis.url"));
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort(int preferred) {
        try (ServerSocket socket = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException taken) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free local port", e);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
