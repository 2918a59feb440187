package io.streamrec.job;

import io.streamrec.operators.evaluation.OnlineEvaluation;
import io.streamrec.operators.evaluation.OnlineMetricsAggregator;
import io.streamrec.operators.input.EventType;
import io.streamrec.operators.input.ItemMetadataParser;
import io.streamrec.operators.input.ValidationRules;
import io.streamrec.operators.item.RefreshOnRestore;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.scoring.ItemIndex;
import io.streamrec.operators.scoring.ScoringKernel;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every job parameter, typed, with its default and description; parsed once from
 * {@code --key value} arguments and validated with messages that name the option. Flink's own
 * runtime settings (checkpointing, state backend, restart strategy) live in
 * {@code flink-conf/config.yaml}, not here.
 *
 * <p>Long on purpose: it is the single table of every option with its description, and the
 * validation that names them; split by topic, that contract would be spread over several files
 * again.
 */
public final class StreamRecOptions {

    // ------------------------------------------------------------------ Kafka
    public static final ConfigOption<String> KAFKA_BOOTSTRAP = ConfigOptions.key("kafka.bootstrap")
            .stringType().defaultValue("localhost:9092").withDescription("Kafka bootstrap servers.");
    public static final ConfigOption<String> TOPIC_INTERACTIONS = ConfigOptions.key("kafka.topic.interactions")
            .stringType().defaultValue("interactions").withDescription("Topic of input interactions (JSON).");
    public static final ConfigOption<String> TOPIC_DEAD_LETTERS = ConfigOptions.key("kafka.topic.dead-letters")
            .stringType().defaultValue("interactions-dlq").withDescription("Topic of rejected records, with reasons.");
    public static final ConfigOption<String> TOPIC_ITEMS = ConfigOptions.key("kafka.topic.items")
            .stringType().defaultValue("items")
            .withDescription("Topic of item metadata (JSON: item, categories, available, ts); the newest record of an item "
                    + "wins. The job reads it from the start when it exists, and from when it appears otherwise.");
    public static final ConfigOption<String> TOPIC_GRADIENTS = ConfigOptions.key("kafka.topic.gradients")
            .stringType().defaultValue("item-gradients")
            .withDescription("Internal topic carrying aggregated item gradients from the UserWorkers to the ItemServers.");
    public static final ConfigOption<String> KAFKA_GROUP = ConfigOptions.key("kafka.group")
            .stringType().defaultValue("streamrec").withDescription("Consumer group id (offsets are committed on checkpoints).");
    public static final ConfigOption<String> KAFKA_START = ConfigOptions.key("kafka.start")
            .stringType().defaultValue("committed")
            .withDescription("Where the interactions source starts when not restored from a checkpoint: "
                    + "'earliest', 'latest', 'committed' (the group's offsets, else earliest) or 'timestamp:<epoch ms>'.");
    public static final ConfigOption<Duration> KAFKA_TRANSACTION_TIMEOUT = ConfigOptions.key("kafka.transaction-timeout")
            .durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("transaction.timeout.ms of the exactly-once producers; must not exceed the broker's "
                    + "transaction.max.timeout.ms (15 min by default).");
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = ConfigOptions.key("kafka.transactional-id-prefix")
            .stringType().defaultValue("streamrec")
            .withDescription("Prefix of the transactional ids of the exactly-once sinks; distinct per deployment.");

    public static final ConfigOption<String> KAFKA_PROPERTIES_FILE = ConfigOptions.key("kafka.properties-file")
            .stringType().defaultValue("")
            .withDescription("A Java properties file of Kafka client settings for every consumer and producer of "
                    + "the job (security.protocol, sasl.*, ssl.*, ...): the place for credentials, e.g. a mounted "
                    + "Kubernetes Secret. Single settings can also be given as --kafka.properties.<client key> "
                    + "(these win over the file). Settings the job owns (bootstrap, group, isolation, transactions, "
                    + "serializers) are refused.");

    /** Prefix of single Kafka client settings passed through to every consumer and producer. */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    /** Kafka client settings the job sets itself; passing them through would break its guarantees. */
    static final List<String> JOB_OWNED_KAFKA_SETTINGS = List.of(
            "bootstrap.servers", "group.id", "isolation.level", "enable.auto.commit", "auto.offset.reset",
            "transactional.id", "transaction.timeout.ms", "enable.idempotence", "acks",
            "key.serializer", "value.serializer", "key.deserializer", "value.deserializer");

    // ------------------------------------------------------------------ Redis
    public static final ConfigOption<String> REDIS_URL = ConfigOptions.key("redis.url")
            .stringType().defaultValue("redis://127.0.0.1:6379")
            .withDescription("redis://[user:password@]host:port[/db], or rediss:// for TLS.");
    public static final ConfigOption<String> REDIS_TLS_CA_FILE = ConfigOptions.key("redis.tls.ca-file")
            .stringType().defaultValue("")
            .withDescription("For rediss://: a PEM file of the certificate authorities to trust (a private CA, e.g. "
                    + "mounted from a Kubernetes Secret) instead of the JVM's trust store. The server's name is "
                    + "checked against its certificate either way.");
    public static final ConfigOption<String> REDIS_PREFIX = ConfigOptions.key("redis.prefix")
            .stringType().defaultValue("rec:").withDescription("Prefix of every key the job writes.");
    public static final ConfigOption<Duration> REDIS_MAX_RETRY = ConfigOptions.key("redis.max-retry")
            .durationType().defaultValue(Duration.ofMinutes(2))
            .withDescription("The longest one Redis commit may take, retries against an unavailable or slow Redis "
                    + "included, before the job fails over (and re-commits after the restore). While it lasts no "
                    + "checkpoint completes, so the job refuses to start if this plus the checkpoint timeouts could "
                    + "outlast kafka.transaction-timeout.");

    // ------------------------------------------------------------------ Recommendations
    public static final ConfigOption<Integer> TOP_N = ConfigOptions.key("recs.top-n")
            .intType().defaultValue(20).withDescription("Length of each user's list.");
    public static final ConfigOption<Duration> REFRESH_INTERVAL = ConfigOptions.key("recs.refresh-interval")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("A user's list is recomputed at most once per interval after their vector changed.");
    public static final ConfigOption<Double> MAX_SCORING_SHARE = ConfigOptions.key("recs.max-scoring-share")
            .doubleType().defaultValue(0.5)
            .withDescription("Largest share of a UserWorker's time that scoring may take (measured over the last "
                    + "10 refresh intervals, at least 5 s). Above it, due refreshes are deferred and the refresh "
                    + "interval stretches, so that ingestion and learning keep at least the rest; the metrics "
                    + "scoringShare, refreshIntervalMs, refreshesDeferred and refreshLagMs show it.");
    public static final ConfigOption<Integer> MAX_REFRESH_STRETCH = ConfigOptions.key("recs.max-refresh-stretch")
            .intType().defaultValue(30)
            .withDescription("How many times recs.refresh-interval may stretch while scoring is over its share.");
    public static final ConfigOption<RefreshOnRestore> REFRESH_ON_RESTORE = ConfigOptions.key("recs.refresh-on-restore")
            .enumType(RefreshOnRestore.class).defaultValue(RefreshOnRestore.NEW_RUN)
            .withDescription("Which restores rewrite everything the job publishes from the restored model: every user's "
                    + "list and meta, every similar list, every item's meta and the popular list, also of users and items "
                    + "that never get an event again. NEW_RUN (default): a restore that starts a new run (a submission "
                    + "from a savepoint: repair, rollback, upgrade), not a failover within the run, so a run restored "
                    + "from an older savepoint into the live prefix takes over every key its state holds; ALWAYS: every "
                    + "restore; NEVER: none (only when Redis already shows the restored state). Costs one scoring pass "
                    + "over all users, paced by recs.bulk-refresh-rate.");
    public static final ConfigOption<Boolean> REFRESH_ALL_ON_RESTORE = ConfigOptions.key("recs.refresh-all-on-restore")
            .booleanType().defaultValue(false)
            .withDescription("Deprecated, kept for old command lines: true is recs.refresh-on-restore ALWAYS; false leaves "
                    + "recs.refresh-on-restore in charge.");
    public static final ConfigOption<Integer> BULK_REFRESH_RATE = ConfigOptions.key("recs.bulk-refresh-rate")
            .intType().defaultValue(5000)
            .withDescription("Users per second per UserWorker subtask whose refreshes a bulk request (a republish "
                    + "request, a restore under recs.refresh-on-restore) schedules: spreads the scoring of every user over time, "
                    + "so the lists waiting for one checkpoint stay bounded (5,000/s x 2 s checkpoints: ~10,000 lists).");
    public static final ConfigOption<Integer> SCORING_BATCH = ConfigOptions.key("recs.batch-size")
            .intType().defaultValue(128).withDescription("Users scored together in one matrix product.");
    public static final ConfigOption<Integer> MAX_SEEN = ConfigOptions.key("recs.max-seen")
            .intType().defaultValue(500)
            .withDescription("Most recent distinct items remembered per user and excluded from their list.");

    public static final ConfigOption<ScoringKernel> KERNEL = ConfigOptions.key("recs.kernel")
            .enumType(ScoringKernel.class).defaultValue(ScoringKernel.VECTOR)
            .withDescription("Top-N kernel: VECTOR (Vector API, default: needs the JVM option "
                    + "--add-modules=jdk.incubator.vector, else falls back to JAVA, logged once; JAVA scores until the JIT has "
                    + "compiled it), JAVA (auto-vectorized "
                    + "Java) or JBLAS (sgemm on item blocks; falls back to JAVA if the native library cannot load).");
    public static final ConfigOption<ItemIndex> INDEX = ConfigOptions.key("recs.index")
            .enumType(ItemIndex.class).defaultValue(ItemIndex.AUTO)
            .withDescription("How top-N candidates are found: EXACT (every item scored by recs.kernel), HNSW (candidates "
                    + "from a Lucene HNSW graph over the item cache, re-ranked exactly with the current vectors, seen items "
                    + "excluded; the graph is rebuilt in the background as items move, never checkpointed) or AUTO "
                    + "(default: EXACT below " + ItemIndex.AUTO_MIN_ITEMS + " cached items, HNSW from there on).");
    public static final ConfigOption<Integer> SIMILAR_N = ConfigOptions.key("recs.similar-n")
            .intType().defaultValue(20)
            .withDescription("Length of each item's similar-items list ({prefix}_sim:{item}: the items that score best "
                    + "for a user whose vector is the item's own, q_i . q_j + b_j; retired items excluded); 0 turns "
                    + "similar lists off.");
    public static final ConfigOption<Double> SIMILAR_THRESHOLD = ConfigOptions.key("recs.similar-threshold")
            .doubleType().defaultValue(0.05)
            .withDescription("An item's similar list is recomputed when its vector has moved by more than this share of "
                    + "its length (|q - q_listed| / |q_listed|) since its last list, at most once per recs.refresh-interval.");
    public static final ConfigOption<String> CATEGORIES = ConfigOptions.key("recs.categories")
            .stringType().defaultValue("")
            .withDescription("Comma-separated categories (as named in the item topic's records) for which each user also "
                    + "gets a list of that category's items, {prefix}{user}:c:{category}; each costs an extra scan of the "
                    + "category's items per refresh and a copy of their vectors in every UserWorker (docs/PERFORMANCE.md). "
                    + "Empty: none.");
    /** The most categories {@code recs.categories} may name. */
    public static final int MAX_CATEGORIES = 32;
    public static final ConfigOption<OnlineEvaluation> ONLINE_EVALUATION = ConfigOptions.key("recs.online-evaluation")
            .enumType(OnlineEvaluation.class).defaultValue(OnlineEvaluation.LAST_LIST)
            .withDescription("Test-then-learn quality measurement of each interaction: LAST_LIST (against the list the "
                    + "user had in Redis, free), EXACT (against a fresh top-N before learning, for evaluation), OFF.");
    /** The longest {@code recs.evaluation-retention}: a week of 10 s buckets. */
    public static final Duration MAX_EVALUATION_RETENTION = Duration.ofDays(7);
    public static final ConfigOption<Duration> EVALUATION_RETENTION = ConfigOptions.key("recs.evaluation-retention")
            .durationType().defaultValue(Duration.ofHours(1))
            .withDescription("How much event time of test-then-learn sums per 10 s the job keeps in "
                    + "{prefix}_metrics:windows (the newest this much; a multiple of 10 s, at most 7 d): what bin/streamrec "
                    + "compare can compare. The whole set is rewritten at every checkpoint, in one Redis script: per hour "
                    + "kept about 1,440 members, 0.17 MB of Redis memory, 14 KB of operator state, a 42 KB committable and "
                    + "5 ms of Redis time per write (24 h: 4.6 MB, 0.35 MB, 1 MB and 120-170 ms).");

    // ------------------------------------------------------------------ Model
    public static final ConfigOption<Integer> DIMENSION = ConfigOptions.key("model.dimension")
            .intType().defaultValue(48).withDescription("Latent dimension of user and item vectors.");
    /** The model's defaults are defined once, in {@link ModelConfig.Builder}. */
    private static final ModelConfig MODEL = ModelConfig.defaults();
    public static final ConfigOption<Double> LEARNING_RATE = ConfigOptions.key("model.learning-rate")
            .doubleType().defaultValue((double) MODEL.learningRate())
            .withDescription("Step size of a new user or item vector; each vector's step decays as rate / (1 + n / h) "
                    + "with its interactions n (h: the two step-halving options), so one pass over a live stream "
                    + "learns fast and repeated passes over history converge.");
    public static final ConfigOption<Double> USER_STEP_HALVING = ConfigOptions.key("model.user-step-halving")
            .doubleType().defaultValue((double) MODEL.userStepHalving())
            .withDescription("Interactions of a user after which the user vector's step size has halved.");
    public static final ConfigOption<Double> ITEM_STEP_HALVING = ConfigOptions.key("model.item-step-halving")
            .doubleType().defaultValue((double) MODEL.itemStepHalving())
            .withDescription("Interactions with an item after which the item vector's step size has halved.");
    public static final ConfigOption<Double> REGULARIZATION = ConfigOptions.key("model.regularization")
            .doubleType().defaultValue(0.02).withDescription("L2 regularization of vectors.");
    public static final ConfigOption<Double> BIAS_REGULARIZATION = ConfigOptions.key("model.bias-regularization")
            .doubleType().defaultValue(0.001).withDescription("L2 regularization of item biases.");
    public static final ConfigOption<Double> BIAS_STEP = ConfigOptions.key("model.bias-step")
            .doubleType().defaultValue((double) MODEL.biasStep())
            .withDescription("A user's or item's bias steps this share of its vector's step: biases carry popularity, "
                    + "vectors taste, and slower biases keep lists personal early in a stream (docs/QUALITY.md).");
    public static final ConfigOption<Double> NEW_USER_BOOST = ConfigOptions.key("model.new-user-boost")
            .doubleType().defaultValue((double) MODEL.newUserBoost())
            .withDescription("Extra weight of a user's first positive interactions: the n-th (from 0) weighs "
                    + "1 + boost * exp(-n / model.new-user-interactions) times its type's weight, so new users' lists "
                    + "turn personal sooner (docs/QUALITY.md). 0 turns it off.");
    public static final ConfigOption<Double> NEW_USER_INTERACTIONS = ConfigOptions.key("model.new-user-interactions")
            .doubleType().defaultValue((double) MODEL.newUserInteractions())
            .withDescription("Interactions of a user over which the new-user boost fades by a factor e.");
    public static final ConfigOption<Integer> NEGATIVES = ConfigOptions.key("model.negatives")
            .intType().defaultValue(MODEL.negatives()).withDescription("BPR steps (sampled negatives) per positive interaction.");
    public static final ConfigOption<Integer> NEGATIVE_POOL = ConfigOptions.key("model.negative-pool")
            .intType().defaultValue(4)
            .withDescription("Candidates drawn per negative; the one the model currently ranks highest for the user is "
                    + "used (adaptive sampling). 1 = plain sampling.");
    public static final ConfigOption<ModelConfig.NegativeSampling> NEGATIVE_SAMPLING = ConfigOptions.key("model.negative-sampling")
            .enumType(ModelConfig.NegativeSampling.class).defaultValue(ModelConfig.NegativeSampling.UNIFORM)
            .withDescription("UNIFORM over known items (default, most accurate) or POPULAR (recent-popularity-proportional, "
                    + "more diverse lists).");
    public static final ConfigOption<ModelConfig.RatingMode> RATING_MODE = ConfigOptions.key("model.ratings")
            .enumType(ModelConfig.RatingMode.class).defaultValue(MODEL.ratingMode())
            .withDescription("IMPLICIT: every rating is a positive interaction (rated = engaged; negatives come from "
                    + "negative event types such as dislike); GRADED: 4-5 stars positive, 3 weakly positive, 1-2 negative.");
    public static final ConfigOption<ModelConfig.Loss> LOSS = ConfigOptions.key("model.loss")
            .enumType(ModelConfig.Loss.class).defaultValue(ModelConfig.Loss.BPR)
            .withDescription("BPR (pairwise, default) or POINTWISE (logistic).");
    public static final ConfigOption<Double> INIT_SCALE = ConfigOptions.key("model.init-scale")
            .doubleType().defaultValue(0.01).withDescription("Standard deviation of initial vector coordinates.");
    public static final ConfigOption<Long> SEED = ConfigOptions.key("model.seed")
            .longType().defaultValue(42L).withDescription("Seed of initialization and sampling.");
    public static final ConfigOption<Double> POPULARITY_HALF_LIFE_DAYS = ConfigOptions.key("model.popularity-half-life-days")
            .doubleType().defaultValue(7.0).withDescription("Half-life of the time-decayed popularity counts.");
    public static final ConfigOption<Map<String, String>> WEIGHTS = ConfigOptions.key("model.weights")
            .mapType().defaultValue(Collections.emptyMap())
            .withDescription("Per event type confidence weights, e.g. 'view:0.5,click:1,purchase:4,dislike:-2'. "
                    + "Negative means a negative example, 0 ignores the type.");

    public static final ConfigOption<Integer> MAX_ITEMS = ConfigOptions.key("model.max-items")
            .intType().defaultValue(MODEL.maxItems())
            .withDescription("The most items the model holds, per job: each ItemServer subtask keeps its key groups' "
                    + "share of it, and each UserWorker's item cache adds new items of its own only below it. Past it a "
                    + "new item is refused into the model (metric itemsRefused; the interaction still counts for the "
                    + "user). A full cache takes roughly max-items × (4 × dimension + 210) bytes of heap in each UserWorker "
                    + "subtask (ids and their index included); raise it together with the TaskManager heap.");

    // ------------------------------------------------------------------ Input
    public static final ConfigOption<Integer> USER_CACHE_SIZE = ConfigOptions.key("state.user-cache-size")
            .intType().defaultValue(4096)
            .withDescription("Users per UserWorker subtask whose state stays in the heap, deserialized, between their "
                    + "interactions: read from RocksDB once, written back when they leave this cache or at the next "
                    + "checkpoint (so a checkpoint holds every change before it). Saves a read and a write of the whole "
                    + "user state (vector, seen items, last list) per access for active users. Each cached user takes "
                    + "about 1 KiB plus 60 bytes per seen item of heap. 0: every access goes to RocksDB.");

    public static final ConfigOption<Duration> USER_TTL = ConfigOptions.key("state.user-ttl")
            .durationType().defaultValue(Duration.ofDays(90))
            .withDescription("A user without interactions for this long in event time (the watermark of the "
                    + "interactions) leaves the job's state, and their list and meta are deleted from Redis through "
                    + "the same versioned, exactly-once path as a forget record (metric usersExpired). Each write of a "
                    + "user's list and meta also sets them to expire this long after it in Redis, so they go also when "
                    + "the job no longer runs. 0 keeps users forever.");
    public static final ConfigOption<Duration> ITEM_TTL = ConfigOptions.key("state.item-ttl")
            .durationType().defaultValue(Duration.ofDays(365))
            .withDescription("An item without interactions for this long in event time (the newest interaction time the "
                    + "ItemServer has applied) leaves the model: its state, every UserWorker's cache, every list that holds "
                    + "it (one pass over the users a second after the first expiry, at most one a minute) and the popular list, and its meta is deleted from Redis (metric "
                    + "itemsExpired). An interaction brings it back as a new item. Each write of an item's meta also sets it "
                    + "to expire this long after it in Redis. A year keeps seasonal items; model.max-items is the hard "
                    + "bound. 0 keeps items forever.");
    public static final ConfigOption<Duration> DEDUP_WINDOW = ConfigOptions.key("input.dedup-window")
            .durationType().defaultValue(Duration.ofHours(24))
            .withDescription("Events with the same id within this window of event time after the first are applied "
                    + "once; a key is kept until the watermark passes the first event's time plus the window, so a "
                    + "backfill keeps only one window's ids.");
    public static final ConfigOption<Double> RATING_MIN = ConfigOptions.key("input.rating-min")
            .doubleType().defaultValue(0.5).withDescription("Smallest valid rating value.");
    public static final ConfigOption<Double> RATING_MAX = ConfigOptions.key("input.rating-max")
            .doubleType().defaultValue(5.0).withDescription("Largest valid rating value.");
    public static final ConfigOption<Long> MIN_TIMESTAMP = ConfigOptions.key("input.min-timestamp")
            .longType().defaultValue(946_684_800_000L)
            .withDescription("Earliest valid event time, epoch ms (default 2000-01-01); lower it to replay older history "
                    + "such as MovieLens 100K (1997-98).");
    public static final ConfigOption<Double> REJECTION_WARNING_SHARE = ConfigOptions.key("input.rejection-warning-share")
            .doubleType().defaultValue(0.1)
            .withDescription("The job logs a warning (at most once a minute, per subtask) when this share of the records "
                    + "of a window was rejected, or all of them; with counts and an example per reason.");
    public static final ConfigOption<Duration> REJECTION_WINDOW = ConfigOptions.key("input.rejection-window")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("Window over which the rejected share is measured (metric rejectedShareLastWindow).");
    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = ConfigOptions.key("input.out-of-orderness")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("Bounded out-of-orderness of event timestamps for watermarks.");

    // ------------------------------------------------------------------ Topology
    public static final ConfigOption<Integer> PARALLELISM = ConfigOptions.key("parallelism")
            .intType().defaultValue(-1).withDescription("Job parallelism (-1: the cluster's default).");
    public static final ConfigOption<Integer> MAX_PARALLELISM = ConfigOptions.key("max-parallelism")
            .intType().defaultValue(128)
            .withDescription("Key groups; fixed so a savepoint can be restored at any parallelism up to it. Never change it.");

    private final Configuration config;

    private StreamRecOptions(Configuration config) {
        this.config = config;
    }

    /** All options declared in this class, in declaration order. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field f : StreamRecOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                try {
                    options.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }

    /** Parses {@code --key value} / {@code --key=value} pairs; unknown keys and bad values are errors. */
    public static StreamRecOptions fromArgs(String... args) {
        CommandArgs parsed = CommandArgs.parse(args);
        if (!parsed.positional().isEmpty() || !parsed.afterSeparator().isEmpty()) {
            throw new IllegalArgumentException("expected an option like --kafka.bootstrap, got '"
                    + (parsed.positional().isEmpty() ? "--" : parsed.positional().get(0)) + "'");
        }
        parsed.requireValues();
        return fromMap(parsed.remainingOptions());
    }

    public static StreamRecOptions fromMap(Map<String, String> values) {
        List<String> known = new ArrayList<>();
        for (ConfigOption<?> option : all()) {
            known.add(option.key());
        }
        for (String key : values.keySet()) {
            if (key.startsWith(KAFKA_PROPERTIES_PREFIX) && key.length() > KAFKA_PROPERTIES_PREFIX.length()) {
                continue;
            }
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + "; known options: " + known);
            }
        }
        StreamRecOptions options = new StreamRecOptions(Configuration.fromMap(values));
        options.validate();
        return options;
    }

    public static StreamRecOptions defaults() {
        return fromMap(Map.of());
    }

    public <T> T get(ConfigOption<T> option) {
        try {
            return config.get(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value for --" + option.key() + ": " + e.getMessage(), e);
        }
    }

    /** {@link #REFRESH_ON_RESTORE}, or ALWAYS when the deprecated {@link #REFRESH_ALL_ON_RESTORE} is true. */
    public RefreshOnRestore refreshOnRestore() {
        return get(REFRESH_ALL_ON_RESTORE) ? RefreshOnRestore.ALWAYS : get(REFRESH_ON_RESTORE);
    }

    /** A copy with some values replaced. */
    public StreamRecOptions with(Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>(config.toMap());
        values.putAll(overrides);
        return fromMap(values);
    }

    public Map<String, String> toMap() {
        return config.toMap();
    }

    /**
     * The Kafka client settings passed through to every consumer and producer of the job: those of
     * {@code --kafka.properties-file}, then the {@code --kafka.properties.<key>} ones.
     *
     * @throws IllegalArgumentException when the file cannot be read or a setting is one the job owns
     *         (called where the job graph is built, so a bad file stops the job before it starts)
     */
    public java.util.Properties kafkaClientProperties() {
        java.util.Properties out = new java.util.Properties();
        String file = get(KAFKA_PROPERTIES_FILE);
        if (!file.isBlank()) {
            try (java.io.Reader in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(file))) {
                out.load(in);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--" + KAFKA_PROPERTIES_FILE.key() + ": cannot read " + file
                        + " (" + e.getClass().getSimpleName() + ")", e);
            }
        }
        config.toMap().forEach((key, value) -> {
            if (key.startsWith(KAFKA_PROPERTIES_PREFIX)) {
                out.setProperty(key.substring(KAFKA_PROPERTIES_PREFIX.length()), value);
            }
        });
        out.stringPropertyNames().forEach(StreamRecOptions::refuseJobOwned);
        return out;
    }

    private static void refuseJobOwned(String kafkaKey) {
        if (JOB_OWNED_KAFKA_SETTINGS.contains(kafkaKey)) {
            throw new IllegalArgumentException("Kafka setting '" + kafkaKey + "' is set by the job and cannot be passed "
                    + "through (--" + KAFKA_PROPERTIES_PREFIX + "* or --" + KAFKA_PROPERTIES_FILE.key() + ")");
        }
    }

    /**
     * The options as text for logs and messages, with the value of every setting that may hold a
     * secret (Kafka client settings, the Redis URL's password) replaced by {@code [hidden]}.
     */
    @Override
    public String toString() {
        Map<String, String> shown = new java.util.TreeMap<>();
        config.toMap().forEach((key, value) -> shown.put(key, isSecret(key) ? "[hidden]" : value));
        if (shown.containsKey(REDIS_URL.key())) {
            shown.put(REDIS_URL.key(), get(REDIS_URL).replaceAll("//[^@/]*@", "//[hidden]@"));
        }
        return "StreamRecOptions" + shown;
    }

    private static boolean isSecret(String key) {
        return key.startsWith(KAFKA_PROPERTIES_PREFIX);
    }

    private void validate() {
        for (ConfigOption<?> option : all()) {
            get(option); // type errors name the option
        }
        // the file is read where the job graph is built (it may exist only there); inline keys are checked now
        config.toMap().keySet().stream().filter(k -> k.startsWith(KAFKA_PROPERTIES_PREFIX))
                .forEach(k -> refuseJobOwned(k.substring(KAFKA_PROPERTIES_PREFIX.length())));
        positive(TOP_N, get(TOP_N));
        positive(SCORING_BATCH, get(SCORING_BATCH));
        positive(MAX_REFRESH_STRETCH, get(MAX_REFRESH_STRETCH));
        positive(BULK_REFRESH_RATE, get(BULK_REFRESH_RATE));
        require(!get(REFRESH_ALL_ON_RESTORE) || !config.contains(REFRESH_ON_RESTORE)
                || get(REFRESH_ON_RESTORE) == RefreshOnRestore.ALWAYS, REFRESH_ALL_ON_RESTORE,
                "true means --" + REFRESH_ON_RESTORE.key() + " ALWAYS, which contradicts --" + REFRESH_ON_RESTORE.key()
                        + " " + get(REFRESH_ON_RESTORE) + "; give only --" + REFRESH_ON_RESTORE.key());
        require(get(MAX_SCORING_SHARE) > 0 && get(MAX_SCORING_SHARE) <= 1, MAX_SCORING_SHARE,
                "must be above 0 and at most 1, got " + get(MAX_SCORING_SHARE));
        positive(MAX_SEEN, get(MAX_SEEN));
        require(get(USER_CACHE_SIZE) >= 0, USER_CACHE_SIZE, "must be 0 (off) or positive, got " + get(USER_CACHE_SIZE));
        require(get(SIMILAR_N) >= 0, SIMILAR_N, "must be 0 (off) or positive, got " + get(SIMILAR_N));
        require(get(SIMILAR_THRESHOLD) >= 0, SIMILAR_THRESHOLD, "must not be negative, got " + get(SIMILAR_THRESHOLD));
        positive(MAX_PARALLELISM, get(MAX_PARALLELISM));
        require(!get(REFRESH_INTERVAL).isNegative() && !get(REFRESH_INTERVAL).isZero(),
                REFRESH_INTERVAL, "must be positive");
        require(get(KAFKA_TRANSACTION_TIMEOUT).compareTo(Duration.ofMinutes(15)) <= 0,
                KAFKA_TRANSACTION_TIMEOUT, "must not exceed the broker default transaction.max.timeout.ms of 15 min");
        require(get(RATING_MIN) < get(RATING_MAX), RATING_MIN, "must be below --" + RATING_MAX.key());
        require(get(REJECTION_WARNING_SHARE) > 0 && get(REJECTION_WARNING_SHARE) <= 1, REJECTION_WARNING_SHARE,
                "must be above 0 and at most 1, got " + get(REJECTION_WARNING_SHARE));
        require(!get(REJECTION_WINDOW).isNegative() && !get(REJECTION_WINDOW).isZero(), REJECTION_WINDOW, "must be positive");
        Duration retention = get(EVALUATION_RETENTION);
        require(retention.toMillis() >= OnlineMetricsAggregator.EVENT_BUCKET_MILLIS
                        && retention.toMillis() % OnlineMetricsAggregator.EVENT_BUCKET_MILLIS == 0
                        && retention.compareTo(MAX_EVALUATION_RETENTION) <= 0,
                EVALUATION_RETENTION, "must be a positive multiple of 10 s of at most 7 d, got " + retention);
        String start = get(KAFKA_START);
        require(start.equals("earliest") || start.equals("latest") || start.equals("committed")
                || start.matches("timestamp:\\d+"), KAFKA_START, "must be earliest, latest, committed or timestamp:<ms>");
        int p = get(PARALLELISM);
        require(p == -1 || (p >= 1 && p <= get(MAX_PARALLELISM)), PARALLELISM,
                "must be -1 or between 1 and --" + MAX_PARALLELISM.key());
        require(!get(REDIS_PREFIX).isEmpty(), REDIS_PREFIX, "must not be empty");
        List<String> categories = categories();
        require(categories.size() <= MAX_CATEGORIES, CATEGORIES, "names " + categories.size() + " categories, at most "
                + MAX_CATEGORIES);
        require(categories.stream().distinct().count() == categories.size(), CATEGORIES, "names a category twice: " + categories);
        require(categories.stream().allMatch(c -> c.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= ItemMetadataParser.MAX_CATEGORY_BYTES),
                CATEGORIES, "names a category longer than " + ItemMetadataParser.MAX_CATEGORY_BYTES + " bytes");
        try {
            modelConfig();
            weights();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid model options: " + e.getMessage(), e);
        }
    }

    private static void positive(ConfigOption<Integer> option, int value) {
        require(value > 0, option, "must be positive, got " + value);
    }

    private static void require(boolean ok, ConfigOption<?> option, String message) {
        if (!ok) {
            throw new IllegalArgumentException("--" + option.key() + " " + message);
        }
    }

    private Map<EventType, Float> weights() {
        Map<EventType, Float> weights = new EnumMap<>(EventType.class);
        for (Map.Entry<String, String> e : get(WEIGHTS).entrySet()) {
            EventType type = EventType.fromString(e.getKey());
            if (type == null) {
                throw new IllegalArgumentException("--" + WEIGHTS.key() + ": unknown event type '" + e.getKey() + "'");
            }
            try {
                weights.put(type, Float.parseFloat(e.getValue()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("--" + WEIGHTS.key() + ": weight of " + e.getKey()
                        + " is not a number: '" + e.getValue() + "'");
            }
        }
        return weights;
    }

    /** The categories of {@code recs.categories}, trimmed, in their order (empty entries are refused). */
    public List<String> categories() {
        String value = get(CATEGORIES).trim();
        if (value.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String c : value.split(",", -1)) {
            require(!c.isBlank(), CATEGORIES, "has an empty entry: '" + value + "'");
            out.add(c.trim());
        }
        return out;
    }

    public ModelConfig modelConfig() {
        return ModelConfig.builder()
                .dimension(get(DIMENSION))
                .learningRate(get(LEARNING_RATE).floatValue())
                .userStepHalving(get(USER_STEP_HALVING).floatValue())
                .itemStepHalving(get(ITEM_STEP_HALVING).floatValue())
                .regularization(get(REGULARIZATION).floatValue())
                .biasRegularization(get(BIAS_REGULARIZATION).floatValue())
                .biasStep(get(BIAS_STEP).floatValue())
                .newUserBoost(get(NEW_USER_BOOST).floatValue())
                .newUserInteractions(get(NEW_USER_INTERACTIONS).floatValue())
                .negatives(get(NEGATIVES))
                .negativePool(get(NEGATIVE_POOL))
                .negativeSampling(get(NEGATIVE_SAMPLING))
                .ratingMode(get(RATING_MODE))
                .loss(get(LOSS))
                .initScale(get(INIT_SCALE).floatValue())
                .seed(get(SEED))
                .popularityHalfLifeDays(get(POPULARITY_HALF_LIFE_DAYS).floatValue())
                .maxItems(get(MAX_ITEMS))
                .weights(weights())
                .build();
    }

    public ValidationRules validationRules() {
        return ValidationRules.builder()
                .ratingRange(get(RATING_MIN), get(RATING_MAX))
                .minTimestamp(get(MIN_TIMESTAMP))
                .build();
    }
}
