package io.streamrec.modelexport;

import io.streamrec.job.CommandArgs;
import io.streamrec.job.OperatorIds;
import io.streamrec.operators.state.ItemState;
import io.streamrec.operators.state.SavepointLayout;
import io.streamrec.operators.state.UserState;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Reads the model out of a savepoint: every user's p_u, b_u, interaction count and list version
 * from the UserWorker's keyed state, and every item's q_i, b_i and interaction count from the
 * ItemServer's, into {@code users.csv}, {@code items.csv} and {@code metadata.json} (see
 * {@link FactorCsv}).
 *
 * <p>A bounded job of the State Processor API in BATCH mode; the rows are streamed to the client
 * and written there, so the output directory is local to the process that calls {@link #export}.
 * The savepoint is only read, never changed. It is restored into the RocksDB backend, which reads
 * canonical savepoints of either backend (the default format of stop-with-savepoint) as well as
 * RocksDB's native savepoints and retained (also incremental) checkpoints.
 *
 * <p>Item counts in a savepoint lag the user counts by the gradients still in flight in the
 * Kafka loop (up to one checkpoint interval); the metadata reports both sums.
 */
public final class ModelExport {

    /** Keyed state names of {@code UserWorker} and {@code ItemServer}: part of the savepoint format. */

    private ModelExport() {}

    /** Result of an export: the metadata also written to {@code metadata.json}. */
    public static ModelMetadata export(StreamExecutionEnvironment env, String savepoint, Path outDir) throws Exception {
        CheckpointMetadata checkpoint = SavepointLoader.loadSavepointMetadata(savepoint);
        int maxParallelism = maxParallelism(checkpoint, OperatorIds.USER_WORKER);
        Files.createDirectories(outDir);

        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        SavepointReader reader = SavepointReader.read(env, savepoint, new EmbeddedRocksDBStateBackend());
        TypeInformation<Tuple2<FactorCsv.Side, FactorRow>> rowType =
                Types.TUPLE(TypeInformation.of(FactorCsv.Side.class), TypeInformation.of(FactorRow.class));
        DataStream<Tuple2<FactorCsv.Side, FactorRow>> users = reader.readKeyedState(
                OperatorIdentifier.forUid(OperatorIds.USER_WORKER), new UserStateReader(), Types.STRING, rowType);
        DataStream<Tuple2<FactorCsv.Side, FactorRow>> items = reader.readKeyedState(
                OperatorIdentifier.forUid(OperatorIds.ITEM_SERVER), new ItemStateReader(), Types.STRING, rowType);

        ModelMetadata meta = new ModelMetadata();
        Path usersFile = outDir.resolve(FactorCsv.Side.USERS.fileName);
        Path itemsFile = outDir.resolve(FactorCsv.Side.ITEMS.fileName);
        Files.deleteIfExists(outDir.resolve(ModelMetadata.FILE_NAME));
        try (BufferedWriter u = Files.newBufferedWriter(usersFile, StandardCharsets.UTF_8);
             BufferedWriter i = Files.newBufferedWriter(itemsFile, StandardCharsets.UTF_8);
             CloseableIterator<Tuple2<FactorCsv.Side, FactorRow>> rows =
                     users.union(items).executeAndCollect("StreamRec model export")) {
            FactorCsv.FactorWriter userWriter = new FactorCsv.FactorWriter(u, FactorCsv.Side.USERS);
            FactorCsv.FactorWriter itemWriter = new FactorCsv.FactorWriter(i, FactorCsv.Side.ITEMS);
            while (rows.hasNext()) {
                Tuple2<FactorCsv.Side, FactorRow> next = rows.next();
                if (next.f0 == FactorCsv.Side.USERS) {
                    userWriter.write(next.f1);
                    meta.userInteractions += next.f1.interactions;
                } else {
                    itemWriter.write(next.f1);
                    meta.itemInteractions += next.f1.interactions;
                }
            }
            if (userWriter.dimension() >= 0 && itemWriter.dimension() >= 0
                    && userWriter.dimension() != itemWriter.dimension()) {
                throw new IllegalStateException("user vectors have dimension " + userWriter.dimension()
                        + " but item vectors " + itemWriter.dimension());
            }
            meta.dimension = Math.max(userWriter.dimension(), itemWriter.dimension());
            meta.users = userWriter.rows();
            meta.items = itemWriter.rows();
            userWriter.close(meta.dimension);
            itemWriter.close(meta.dimension);
        }
        meta.savepoint = savepoint;
        meta.savepointCheckpointId = checkpoint.getCheckpointId();
        meta.maxParallelism = maxParallelism;
        meta.exportedAt = Instant.now().toString();
        meta.write(outDir);
        return meta;
    }

    /**
     * Number of users and items in a savepoint (a bounded job on {@code env}); used to verify a
     * freshly bootstrapped savepoint.
     */
    public static Map<FactorCsv.Side, Long> countRows(StreamExecutionEnvironment env, String savepoint) throws Exception {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        SavepointReader reader = SavepointReader.read(env, savepoint, new EmbeddedRocksDBStateBackend());
        TypeInformation<Tuple2<FactorCsv.Side, FactorRow>> rowType =
                Types.TUPLE(TypeInformation.of(FactorCsv.Side.class), TypeInformation.of(FactorRow.class));
        TypeInformation<Tuple2<FactorCsv.Side, Long>> countType =
                Types.TUPLE(TypeInformation.of(FactorCsv.Side.class), Types.LONG);
        DataStream<Tuple2<FactorCsv.Side, FactorRow>> rows = reader
                .readKeyedState(OperatorIdentifier.forUid(OperatorIds.USER_WORKER), new UserStateReader(), Types.STRING, rowType)
                .union(reader.readKeyedState(OperatorIdentifier.forUid(OperatorIds.ITEM_SERVER), new ItemStateReader(),
                        Types.STRING, rowType));
        Map<FactorCsv.Side, Long> counts = new EnumMap<>(FactorCsv.Side.class);
        counts.put(FactorCsv.Side.USERS, 0L);
        counts.put(FactorCsv.Side.ITEMS, 0L);
        try (CloseableIterator<Tuple2<FactorCsv.Side, Long>> it = rows
                .map(new CountOne()).returns(countType)
                .keyBy(new BySide()).reduce(new SumCounts())
                .executeAndCollect("StreamRec savepoint row count")) {
            it.forEachRemaining(t -> counts.put(t.f0, t.f1));
        }
        return counts;
    }

    /** The max parallelism of an operator's state, or a clear error when the savepoint lacks it. */
    static int maxParallelism(CheckpointMetadata checkpoint, String uid) {
        OperatorID id = OperatorIdentifier.forUid(uid).getOperatorId();
        for (OperatorState state : checkpoint.getOperatorStates()) {
            if (state.getOperatorID().equals(id)) {
                return state.getMaxParallelism();
            }
        }
        throw new IllegalArgumentException("the savepoint has no state of operator '" + uid
                + "': is it a StreamRec savepoint?");
    }

    /** A local environment for the command line. */
    public static StreamExecutionEnvironment localEnvironment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        return env;
    }

    /** {@code --savepoint PATH --out DIR}; also runnable with {@code flink run -c}. */
    public static void main(String[] args) throws Exception {
        CommandArgs a = CommandArgs.parse(args);
        String savepoint = a.require("savepoint");
        String out = a.require("out");
        a.rejectUnknown();
        ModelMetadata meta = export(StreamExecutionEnvironment.getExecutionEnvironment(), savepoint, Path.of(out));
        System.out.println("exported " + meta.users + " users and " + meta.items + " items (dimension "
                + meta.dimension + ") to " + out);
    }

    static final class CountOne implements MapFunction<Tuple2<FactorCsv.Side, FactorRow>, Tuple2<FactorCsv.Side, Long>> {
        private static final long serialVersionUID = 1L;

        @Override
        public Tuple2<FactorCsv.Side, Long> map(Tuple2<FactorCsv.Side, FactorRow> row) {
            return Tuple2.of(row.f0, 1L);
        }
    }

    /** By the side's name: an enum's hashCode differs between JVMs, so enums cannot be keys. */
    static final class BySide implements KeySelector<Tuple2<FactorCsv.Side, Long>, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Tuple2<FactorCsv.Side, Long> t) {
            return t.f0.name();
        }
    }

    static final class SumCounts implements ReduceFunction<Tuple2<FactorCsv.Side, Long>> {
        private static final long serialVersionUID = 1L;

        @Override
        public Tuple2<FactorCsv.Side, Long> reduce(Tuple2<FactorCsv.Side, Long> a, Tuple2<FactorCsv.Side, Long> b) {
            return Tuple2.of(a.f0, a.f1 + b.f1);
        }
    }

    /** Each user's vector, bias, count and version from the UserWorker's keyed state. */
    static final class UserStateReader extends KeyedStateReaderFunction<String, Tuple2<FactorCsv.Side, FactorRow>> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<UserState> state;

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(SavepointLayout.userState());
        }

        @Override
        public void readKey(String user, Context ctx, Collector<Tuple2<FactorCsv.Side, FactorRow>> out) throws Exception {
            UserState s = state.value();
            if (s != null && s.p != null) {
                out.collect(Tuple2.of(FactorCsv.Side.USERS, new FactorRow(user, s.b, s.interactions, s.version, s.p)));
            }
        }
    }

    /** Each item's vector, bias and count from the ItemServer's keyed state. */
    static final class ItemStateReader extends KeyedStateReaderFunction<String, Tuple2<FactorCsv.Side, FactorRow>> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<ItemState> state;

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(SavepointLayout.itemState());
        }

        @Override
        public void readKey(String item, Context ctx, Collector<Tuple2<FactorCsv.Side, FactorRow>> out) throws Exception {
            ItemState s = state.value();
            if (s != null && s.q != null) {
                out.collect(Tuple2.of(FactorCsv.Side.ITEMS, new FactorRow(item, s.b, s.interactions, 0L, s.q)));
            }
        }
    }
}
