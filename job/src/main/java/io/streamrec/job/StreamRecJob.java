package io.streamrec.job;

import io.streamrec.operators.input.Deduplicator;
import io.streamrec.operators.input.InteractionValidator;
import io.streamrec.operators.input.ItemMetadataValidator;
import io.streamrec.operators.records.ItemMetadata;
import io.streamrec.operators.item.ItemServer;
import io.streamrec.operators.evaluation.OnlineMetricsAggregator;
import io.streamrec.operators.item.PopularityRanker;
import io.streamrec.operators.user.UserWorker;
import io.streamrec.operators.evaluation.OnlineMetricsSnapshot;
import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.records.PopularList;
import io.streamrec.operators.records.UserList;
import io.streamrec.operators.user.UserWorkerConfig;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.RedisSink;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The StreamRec job: Kafka interactions → validation → de-duplication → UserWorker (user vectors,
 * SGD, top-N) ⇄ ItemServer (item vectors) through the exactly-once gradient topic → Redis.
 *
 * <p>{@link #build} wires the graph from the sources and sinks it is given; {@link #main} parses
 * the options and plugs in Kafka and Redis. Tests build the same graph with their own sinks.
 *
 * <p>Long because it is the one place where the whole graph is visible: {@link #build} is a single
 * reading of the dataflow (uids, parallelism, side outputs, the gradient loop), and the factories
 * of its Kafka sources and sinks below share the options that make them exactly-once together
 * (transactional ids, isolation level, start offsets). Splitting the wiring across classes would
 * hide how the loop closes.
 */
public final class StreamRecJob {

    private static final Logger LOG = LoggerFactory.getLogger(StreamRecJob.class);

    private StreamRecJob() {}

    public static void main(String[] args) throws Exception {
        StreamRecOptions options = StreamRecOptions.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        buildWithKafkaAndRedis(env, options);
        env.execute("StreamRec");
    }

    /**
     * The deployed graph: {@link #build} with the Kafka topics and the Redis server the options name
     * (what {@code main}, the demo and the evaluation run), for a new run: its epoch is claimed in
     * the prefix's {@code {prefix}_epoch} ({@link RedisEpochLedger}), above every earlier run's.
     */
    public static SingleOutputStreamOperator<UserList> buildWithKafkaAndRedis(StreamExecutionEnvironment env,
                                                                            StreamRecOptions options) {
        RunEpoch run = RunEpoch.claim(RedisEpochLedger.of(options), Clock.systemUTC());
        LOG.info("StreamRec {}: gradients carry its id, Redis versions its epoch", run);
        return buildWithKafkaAndRedis(env, options, run);
    }

    /** {@link #buildWithKafkaAndRedis(StreamExecutionEnvironment, StreamRecOptions)} of the given run. */
    public static SingleOutputStreamOperator<UserList> buildWithKafkaAndRedis(StreamExecutionEnvironment env,
                                                                            StreamRecOptions options, RunEpoch run) {
        return build(env, options, run,
                interactionsSource(options),
                itemsSource(options),
                gradientsSource(options, System.currentTimeMillis()),
                deadLetterSink(options),
                gradientsSink(options),
                redisSink(options));
    }

    /**
     * Parallelism, fixed max parallelism, and checkpointing if the cluster config has none; then
     * refuses checkpoint and retry settings under which a gradient transaction could expire
     * ({@link TransactionTimeoutCheck}).
     *
     * @throws IllegalArgumentException naming the settings to change
     */
    public static void configure(StreamExecutionEnvironment env, StreamRecOptions options) {
        env.setMaxParallelism(options.get(StreamRecOptions.MAX_PARALLELISM));
        if (options.get(StreamRecOptions.PARALLELISM) > 0) {
            env.setParallelism(options.get(StreamRecOptions.PARALLELISM));
        }
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            LOG.warn("Checkpointing is not configured (execution.checkpointing.interval in config.yaml); "
                    + "StreamRec needs it for its exactly-once gradient loop and Redis commits: using 2 s "
                    + "checkpoints that time out after 1 min, as in flink-conf/config.yaml.");
            env.enableCheckpointing(2000);
            if (env.getCheckpointConfig().getCheckpointTimeout() > 60_000) {
                env.getCheckpointConfig().setCheckpointTimeout(60_000);
            }
        }
        TransactionTimeoutCheck.check(env.getCheckpointConfig(), options);
    }

    /**
     * Builds the dataflow.
     *
     * @param interactions raw JSON interaction records
     * @param gradients    the gradient topic, read with read_committed
     * @param deadLetters  receives rejected records as JSON with their reason
     * @param gradientSink the gradient topic, written exactly-once
     * @param redis        receives versioned list writes
     * @return the UserWorker's stream of lists, whose side outputs (e.g.
     *         {@link UserWorker#ONLINE_EVALUATION}) an evaluation run may also read
     */
    public static SingleOutputStreamOperator<UserList> build(StreamExecutionEnvironment env, StreamRecOptions options,
                             Source<String, ?, ?> interactions,
                             Source<ItemDelta, ?, ?> gradients,
                             Sink<String> deadLetters,
                             Sink<ItemDelta> gradientSink,
                             Sink<RedisRecord> redis) {
        return build(env, options, RunEpoch.atSubmit(), interactions, null, gradients, deadLetters, gradientSink, redis);
    }

    /** {@link #build(StreamExecutionEnvironment, StreamRecOptions, RunEpoch, Source, Source, Sink, Sink, Sink)} without an item topic. */
    public static SingleOutputStreamOperator<UserList> build(StreamExecutionEnvironment env, StreamRecOptions options,
                             RunEpoch run,
                             Source<String, ?, ?> interactions,
                             Source<ItemDelta, ?, ?> gradients,
                             Sink<String> deadLetters,
                             Sink<ItemDelta> gradientSink,
                             Sink<RedisRecord> redis) {
        return build(env, options, run, interactions, null, gradients, deadLetters, gradientSink, redis);
    }

    /**
     * Builds the dataflow of one run.
     *
     * @param run fixed for this graph: its id fences the gradient loop against other runs, its epoch
     *            orders the Redis writes of runs (see {@link RunEpoch})
     * @param items raw JSON item-metadata records (the item topic); null: none
     */
    public static SingleOutputStreamOperator<UserList> build(StreamExecutionEnvironment env, StreamRecOptions options,
                             RunEpoch run,
                             Source<String, ?, ?> interactions,
                             Source<String, ?, ?> items,
                             Source<ItemDelta, ?, ?> gradients,
                             Sink<String> deadLetters,
                             Sink<ItemDelta> gradientSink,
                             Sink<RedisRecord> redis) {
        ModelConfig model = options.modelConfig();
        String prefix = options.get(StreamRecOptions.REDIS_PREFIX);
        int topN = options.get(StreamRecOptions.TOP_N);

        SingleOutputStreamOperator<Interaction> valid = env
                .fromSource(interactions, WatermarkStrategy.noWatermarks(), OperatorIds.NAME_INTERACTIONS_SOURCE)
                .uid(OperatorIds.INTERACTIONS_SOURCE)
                .process(new InteractionValidator(options.validationRules(),
                        options.get(StreamRecOptions.REJECTION_WINDOW), options.get(StreamRecOptions.REJECTION_WARNING_SHARE)))
                .uid(OperatorIds.VALIDATE).name(OperatorIds.NAME_VALIDATE);

        DataStream<String> rejected = valid.getSideOutput(InteractionValidator.DEAD_LETTERS);
        DataStream<ItemDelta> toItemServer = env
                .fromSource(gradients, WatermarkStrategy.noWatermarks(), OperatorIds.NAME_GRADIENTS_SOURCE)
                .uid(OperatorIds.GRADIENTS_SOURCE);
        if (items != null) {
            // item metadata reaches the item's ItemServer on the gradients' keyed input, straight from its source
            SingleOutputStreamOperator<ItemMetadata> validItems = env
                    .fromSource(items, WatermarkStrategy.noWatermarks(), OperatorIds.NAME_ITEMS_SOURCE)
                    .uid(OperatorIds.ITEMS_SOURCE)
                    .process(new ItemMetadataValidator(options.validationRules()))
                    .uid(OperatorIds.VALIDATE_ITEMS).name(OperatorIds.NAME_VALIDATE_ITEMS);
            rejected = rejected.union(validItems.getSideOutput(ItemMetadataValidator.DEAD_LETTERS));
            toItemServer = toItemServer.union(validItems
                    .map(ItemDelta::metadata).returns(ItemDelta.class)
                    .uid(OperatorIds.ITEMS_TO_ITEM_SERVER).name(OperatorIds.NAME_ITEMS_TO_ITEM_SERVER));
        }
        rejected.sinkTo(deadLetters).uid(OperatorIds.DEAD_LETTER_SINK).name(OperatorIds.NAME_DEAD_LETTER_SINK);

        DataStream<Interaction> distinct = valid
                .assignTimestampsAndWatermarks(WatermarkStrategy
                        .<Interaction>forBoundedOutOfOrderness(options.get(StreamRecOptions.OUT_OF_ORDERNESS))
                        // control records (forget, republish) are stamped when they are sent, not in the
                        // stream's event time: they must not move the watermark (idle users would expire)
                        .withTimestampAssigner((event, previous) -> event.type.isControl() ? Long.MIN_VALUE : event.ts)
                        .withIdleness(Duration.ofSeconds(30)))
                .uid(OperatorIds.WATERMARKS).name(OperatorIds.NAME_WATERMARKS)
                .keyBy(Interaction::dedupKey)
                .process(new Deduplicator(options.get(StreamRecOptions.DEDUP_WINDOW)))
                .uid(OperatorIds.DEDUPLICATE).name(OperatorIds.NAME_DEDUPLICATE);

        SingleOutputStreamOperator<ItemUpdate> itemServer = toItemServer
                .keyBy(delta -> delta.item)
                .transform(OperatorIds.NAME_ITEM_SERVER, TypeInformation.of(ItemUpdate.class), new ItemServer(model, run.id(),
                        options.get(StreamRecOptions.ITEM_TTL), options.refreshOnRestore()))
                .uid(OperatorIds.ITEM_SERVER);

        SingleOutputStreamOperator<UserList> userWorker = distinct
                .keyBy(event -> event.user)
                .connect(itemServer.broadcast())
                .transform(OperatorIds.NAME_USER_WORKER, TypeInformation.of(UserList.class),
                        new UserWorker(UserWorkerConfig.builder(model)
                                .topN(topN)
                                .refreshInterval(options.get(StreamRecOptions.REFRESH_INTERVAL))
                                .batchSize(options.get(StreamRecOptions.SCORING_BATCH))
                                .maxScoringShare(options.get(StreamRecOptions.MAX_SCORING_SHARE))
                                .maxRefreshStretch(options.get(StreamRecOptions.MAX_REFRESH_STRETCH))
                                .bulkRefreshRate(options.get(StreamRecOptions.BULK_REFRESH_RATE))
                                .userTtl(options.get(StreamRecOptions.USER_TTL))
                                .maxSeen(options.get(StreamRecOptions.MAX_SEEN))
                                .userCacheSize(options.get(StreamRecOptions.USER_CACHE_SIZE))
                                .evaluation(options.get(StreamRecOptions.ONLINE_EVALUATION))
                                .kernel(options.get(StreamRecOptions.KERNEL))
                                .index(options.get(StreamRecOptions.INDEX))
                                .similarN(options.get(StreamRecOptions.SIMILAR_N))
                                .similarThreshold(options.get(StreamRecOptions.SIMILAR_THRESHOLD))
                                .categories(options.categories())
                                .build()))
                .uid(OperatorIds.USER_WORKER);

        userWorker.getSideOutput(UserWorker.ITEM_DELTAS)
                .map(new StampRun(run.id())).returns(ItemDelta.class)
                .uid(OperatorIds.STAMP_GRADIENTS).name(OperatorIds.NAME_STAMP_GRADIENTS)
                .sinkTo(gradientSink).uid(OperatorIds.GRADIENTS_SINK).name(OperatorIds.NAME_GRADIENTS_SINK);

        DataStream<ItemStats> itemStats = itemServer.getSideOutput(ItemServer.ITEM_STATS);
        DataStream<PopularList> popular = itemStats
                .transform(OperatorIds.NAME_POPULARITY, TypeInformation.of(PopularList.class),
                        new PopularityRanker(model, topN))
                .uid(OperatorIds.POPULARITY).setParallelism(1).setMaxParallelism(1)
                // a max-parallelism-1 operator must not join a chain of max parallelism 128: at job
                // parallelism 1 that chain could not be restored from a savepoint
                .disableChaining();

        long userKeyTtl = options.get(StreamRecOptions.USER_TTL).toMillis();
        DataStream<RedisRecord> userWrites = userWorker
                .map(list -> RedisWrites.userList(prefix, list, run, userKeyTtl)).returns(RedisRecord.class)
                .uid(OperatorIds.USER_LISTS_TO_REDIS).name(OperatorIds.NAME_USER_LISTS_TO_REDIS);
        // keyed by item exactly as the ItemServer that emits the stats: no shuffle
        DataStream<RedisRecord> itemWrites = DataStreamUtils
                .reinterpretAsKeyedStream(itemStats, stats -> stats.item, Types.STRING)
                .process(new ItemStatsToRedis(prefix, run, options.get(StreamRecOptions.ITEM_TTL).toMillis()))
                .returns(RedisRecord.class)
                .uid(OperatorIds.ITEM_STATS_TO_REDIS).name(OperatorIds.NAME_ITEM_STATS_TO_REDIS);
        DataStream<RedisRecord> popularWrites = popular
                .map(list -> RedisWrites.popular(prefix, list, run)).returns(RedisRecord.class)
                .uid(OperatorIds.POPULAR_TO_REDIS).name(OperatorIds.NAME_POPULAR_TO_REDIS);

        // live quality: {prefix}_metrics, a zset metric -> value plus the same figures in its :meta hash,
        // and {prefix}_metrics:windows, the sums per 10 s of event time (the newest recs.evaluation-retention)
        DataStream<RedisRecord> metricsWrites = userWorker.getSideOutput(UserWorker.ONLINE_EVALUATION)
                .transform(OperatorIds.NAME_ONLINE_METRICS, TypeInformation.of(OnlineMetricsSnapshot.class),
                        new OnlineMetricsAggregator(options.get(StreamRecOptions.EVALUATION_RETENTION)))
                .uid(OperatorIds.ONLINE_METRICS).setParallelism(1).setMaxParallelism(1)
                .disableChaining()
                .flatMap((OnlineMetricsSnapshot m, Collector<RedisRecord> out) -> {
                    long version = run.timeVersion(m.version);
                    out.collect(new RedisRecord(RedisKeys.metrics(prefix), version, m.updated, m.names, m.values,
                            m.fieldValuePairs()));
                    // sums per bucket of event time, aligned across jobs by bin/streamrec compare
                    out.collect(new RedisRecord(RedisKeys.metricsWindows(prefix), version, m.updated,
                            m.windowNames, m.windowValues));
                }).returns(RedisRecord.class)
                .uid(OperatorIds.ONLINE_METRICS_TO_REDIS).name(OperatorIds.NAME_ONLINE_METRICS_TO_REDIS);

        // {prefix}_sim:{item}, from the UserWorker subtask that owns the item (none with recs.similar-n 0)
        DataStream<RedisRecord> similarWrites = userWorker.getSideOutput(UserWorker.SIMILAR_ITEMS)
                .map(list -> RedisWrites.similarList(prefix, list, run)).returns(RedisRecord.class)
                .uid(OperatorIds.SIMILAR_LISTS_TO_REDIS).name(OperatorIds.NAME_SIMILAR_LISTS_TO_REDIS);

        userWrites.union(itemWrites, popularWrites, metricsWrites, similarWrites)
                .sinkTo(redis).uid(OperatorIds.REDIS_SINK).name(OperatorIds.NAME_REDIS_SINK);
        return userWorker;
    }

    /**
     * Stamps the run's id on each gradient, replacing the JobID the UserWorker puts there: the
     * ItemServer fences runs by this id (see {@link ItemServer}).
     */
    static final class StampRun implements MapFunction<ItemDelta, ItemDelta> {
        private static final long serialVersionUID = 1L;
        private final String runId;

        StampRun(String runId) {
            this.runId = runId;
        }

        @Override
        public ItemDelta map(ItemDelta delta) {
            delta.origin = runId;
            return delta;
        }
    }

    // ------------------------------------------------------------------ Kafka and Redis endpoints

    public static KafkaSource<String> interactionsSource(StreamRecOptions options) {
        return KafkaSource.<String>builder()
                .setProperties(options.kafkaClientProperties())
                .setBootstrapServers(options.get(StreamRecOptions.KAFKA_BOOTSTRAP))
                .setTopics(options.get(StreamRecOptions.TOPIC_INTERACTIONS))
                .setGroupId(options.get(StreamRecOptions.KAFKA_GROUP))
                .setStartingOffsets(startingOffsets(options.get(StreamRecOptions.KAFKA_START)))
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * The item topic. Subscribed by pattern, so a job whose topic does not exist yet starts, and
     * reads it once it appears (partition discovery, within a minute). A job without a checkpoint
     * reads it from the start: its metadata state is empty, and the topic (best compacted, keyed by
     * item) is the catalogue; a restored job continues from its checkpoint's offsets.
     */
    public static KafkaSource<String> itemsSource(StreamRecOptions options) {
        return KafkaSource.<String>builder()
                .setProperties(options.kafkaClientProperties())
                .setBootstrapServers(options.get(StreamRecOptions.KAFKA_BOOTSTRAP))
                .setTopicPattern(Pattern.compile(Pattern.quote(options.get(StreamRecOptions.TOPIC_ITEMS))))
                .setGroupId(options.get(StreamRecOptions.KAFKA_GROUP) + "-items")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    static OffsetsInitializer startingOffsets(String start) {
        switch (start) {
            case "earliest":
                return OffsetsInitializer.earliest();
            case "latest":
                return OffsetsInitializer.latest();
            case "committed":
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default:
                return OffsetsInitializer.timestamp(Long.parseLong(start.substring("timestamp:".length())));
        }
    }

    /**
     * The loop's reading side. A fresh job (no checkpoint) starts at its own start time, so
     * gradients left in the topic by an earlier deployment are never applied; a restored job
     * continues from the offsets in its checkpoint.
     */
    public static KafkaSource<ItemDelta> gradientsSource(StreamRecOptions options, long jobStartMillis) {
        return KafkaSource.<ItemDelta>builder()
                .setProperties(options.kafkaClientProperties())
                .setBootstrapServers(options.get(StreamRecOptions.KAFKA_BOOTSTRAP))
                .setTopics(options.get(StreamRecOptions.TOPIC_GRADIENTS))
                .setGroupId(options.get(StreamRecOptions.KAFKA_GROUP) + "-gradients")
                .setStartingOffsets(OffsetsInitializer.timestamp(jobStartMillis))
                .setValueOnlyDeserializer(new ItemDeltaSchema())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    public static KafkaSink<ItemDelta> gradientsSink(StreamRecOptions options) {
        return KafkaSink.<ItemDelta>builder()
                .setKafkaProducerConfig(options.kafkaClientProperties())
                .setBootstrapServers(options.get(StreamRecOptions.KAFKA_BOOTSTRAP))
                .setRecordSerializer(KafkaRecordSerializationSchema.<ItemDelta>builder()
                        .setTopic(options.get(StreamRecOptions.TOPIC_GRADIENTS))
                        .setKeySerializationSchema(new ItemKeySerializer())
                        .setValueSerializationSchema(new ItemDeltaSchema())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(options.get(StreamRecOptions.TRANSACTIONAL_ID_PREFIX) + "-gradients")
                .setProperty("transaction.timeout.ms",
                        Long.toString(options.get(StreamRecOptions.KAFKA_TRANSACTION_TIMEOUT).toMillis()))
                .build();
    }

    public static KafkaSink<String> deadLetterSink(StreamRecOptions options) {
        return KafkaSink.<String>builder()
                .setKafkaProducerConfig(options.kafkaClientProperties())
                .setBootstrapServers(options.get(StreamRecOptions.KAFKA_BOOTSTRAP))
                .setRecordSerializer(KafkaRecordSerializationSchema.<String>builder()
                        .setTopic(options.get(StreamRecOptions.TOPIC_DEAD_LETTERS))
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(options.get(StreamRecOptions.TRANSACTIONAL_ID_PREFIX) + "-dlq")
                .setProperty("transaction.timeout.ms",
                        Long.toString(options.get(StreamRecOptions.KAFKA_TRANSACTION_TIMEOUT).toMillis()))
                .build();
    }

    public static RedisSink<RedisRecord> redisSink(StreamRecOptions options) {
        return RedisSink.<RedisRecord>builder()
                .setRedisUrl(options.get(StreamRecOptions.REDIS_URL))
                .setSerializer(RedisRecord::toWrite)
                .setMaxRetryDuration(options.get(StreamRecOptions.REDIS_MAX_RETRY))
                .setTlsCaFile(options.get(StreamRecOptions.REDIS_TLS_CA_FILE))
                .build();
    }
}
