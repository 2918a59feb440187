package io.streamrec.modelexport;

import io.streamrec.job.CommandArgs;
import io.streamrec.job.OperatorIds;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.operators.state.ItemState;
import io.streamrec.operators.state.SavepointLayout;
import io.streamrec.operators.state.UserState;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a new savepoint from factor files ({@code users.csv}, {@code items.csv}, see
 * {@link FactorCsv}), for example the output of an offline ALS or of {@link ModelExport}. The
 * savepoint holds only the UserWorker's and the ItemServer's keyed state, in the job's own state
 * names and types; every other operator (sources, de-duplication, popularity, sinks) starts empty
 * when the job is started from it.
 *
 * <p>Bootstrapped users have their vector, bias, interaction count and list version from the file
 * (version 0 when absent), an empty {@code seen} list, a fresh AdaGrad accumulator and no pending
 * refresh: their first list is computed after their first new interaction. Items get vector, bias
 * and count; their popularity starts empty.
 *
 * <p>The max parallelism must equal the job's ({@code --max-parallelism}, 128 by default), or the
 * job refuses the savepoint; the vector dimension must equal the job's {@code --model.dimension}.
 * A duplicate id, a malformed number or a non-finite value fails the bootstrap with the file and
 * line. The savepoint is read back and its row counts checked before success is reported.
 */
public final class ModelBootstrap {

    static final String USERS_COUNTER = "bootstrap-users";
    static final String ITEMS_COUNTER = "bootstrap-items";

    private ModelBootstrap() {}

    /** What was written. */
    public record Summary(String savepoint, int dimension, long users, long items) {}

    /**
     * Reads the factor files in {@code factorsDir} and writes the savepoint to {@code savepointDir}
     * (both paths of any Flink file system); runs a bounded job on {@code env} in BATCH mode.
     */
    public static Summary bootstrap(StreamExecutionEnvironment env, String factorsDir, String savepointDir,
                                    int maxParallelism) throws Exception {
        if (maxParallelism < 1 || maxParallelism > 32768) {
            throw new IllegalArgumentException("--max-parallelism must be in 1..32768, got " + maxParallelism);
        }
        Path dir = new Path(factorsDir);
        Path usersFile = new Path(dir, FactorCsv.Side.USERS.fileName);
        Path itemsFile = new Path(dir, FactorCsv.Side.ITEMS.fileName);
        int userDim = headerDimension(usersFile, FactorCsv.Side.USERS);
        int itemDim = headerDimension(itemsFile, FactorCsv.Side.ITEMS);
        if (userDim != itemDim) {
            throw new IllegalArgumentException(usersFile + " has vectors of dimension " + userDim + " but "
                    + itemsFile + " of dimension " + itemDim);
        }
        ModelMetadata meta = ModelMetadata.readIfPresent(dir);
        if (meta != null && meta.dimension != userDim && (meta.users > 0 || meta.items > 0)) {
            throw new IllegalArgumentException(new Path(dir, ModelMetadata.FILE_NAME) + " says dimension "
                    + meta.dimension + " but the files have " + userDim);
        }
        Path out = new Path(savepointDir);
        FileSystem outFs = out.getFileSystem();
        if (outFs.exists(out)) {
            FileStatus[] existing = outFs.listStatus(out);
            if (existing == null || existing.length > 0) {
                throw new IllegalArgumentException(savepointDir + " exists and is not empty; choose a new savepoint directory");
            }
        }

        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        DataStream<FactorRow> users = rows(env, usersFile, FactorCsv.Side.USERS, userDim, USERS_COUNTER);
        DataStream<FactorRow> items = rows(env, itemsFile, FactorCsv.Side.ITEMS, itemDim, ITEMS_COUNTER);

        // Checks run in ordinary operators before the bootstrap functions: the State Processor API runs
        // those in a thread of their own whose exceptions do not fail the job (see verify below).
        users = users.keyBy(new RowId(), Types.STRING).process(new UniqueIds(FactorCsv.Side.USERS))
                .name("Unique users").returns(TypeInformation.of(FactorRow.class));
        items = items.keyBy(new RowId(), Types.STRING).process(new UniqueIds(FactorCsv.Side.ITEMS))
                .name("Unique items").returns(TypeInformation.of(FactorRow.class));

        StateBootstrapTransformation<FactorRow> userState = OperatorTransformation.bootstrapWith(users)
                .keyBy(new RowId(), Types.STRING)
                .transform(new UserStateBootstrapper());
        StateBootstrapTransformation<FactorRow> itemState = OperatorTransformation.bootstrapWith(items)
                .keyBy(new RowId(), Types.STRING)
                .transform(new ItemStateBootstrapper());

        SavepointWriter.newSavepoint(env, maxParallelism)
                .withOperator(OperatorIdentifier.forUid(OperatorIds.USER_WORKER), userState)
                .withOperator(OperatorIdentifier.forUid(OperatorIds.ITEM_SERVER), itemState)
                .write(savepointDir);
        JobExecutionResult result = env.execute("StreamRec model bootstrap");
        long usersRead = result.<Long>getAccumulatorResult(USERS_COUNTER);
        long itemsRead = result.<Long>getAccumulatorResult(ITEMS_COUNTER);
        verify(env, savepointDir, usersRead, itemsRead);
        return new Summary(savepointDir, userDim, usersRead, itemsRead);
    }

    /**
     * Reads the new savepoint back and compares its row counts with the rows read. Needed because
     * in Flink 2.2 a bootstrap function runs in a separate thread ({@code BootstrapStreamTaskRunner})
     * whose failure is not reported: the job succeeds and the savepoint silently lacks that
     * subtask's keys.
     */
    static void verify(StreamExecutionEnvironment env, String savepointDir, long users, long items)
            throws Exception {
        Map<FactorCsv.Side, Long> written = ModelExport.countRows(env, savepointDir);
        if (written.get(FactorCsv.Side.USERS) != users || written.get(FactorCsv.Side.ITEMS) != items) {
            throw new IllegalStateException("the savepoint " + savepointDir + " holds " + written.get(FactorCsv.Side.USERS)
                    + " users and " + written.get(FactorCsv.Side.ITEMS) + " items, but " + users + " users and " + items
                    + " items were read: a bootstrap task failed (see the task logs); do not start the job from it");
        }
    }

    private static DataStream<FactorRow> rows(StreamExecutionEnvironment env, Path file, FactorCsv.Side side,
                                              int dimension, String counter) {
        // one reader per file: the rows are spread over the bootstrap operators by the keyBy after it
        return env.fromData(file.toString()).name(side.fileName)
                .flatMap(new FactorFileReader(side, dimension, counter)).returns(TypeInformation.of(FactorRow.class))
                .name("Read " + side.fileName).setParallelism(1);
    }

    private static int headerDimension(Path file, FactorCsv.Side side) throws IOException {
        FileSystem fs = file.getFileSystem();
        if (!fs.exists(file)) {
            throw new IllegalArgumentException("missing " + file + " (bootstrap needs both "
                    + FactorCsv.Side.USERS.fileName + " and " + FactorCsv.Side.ITEMS.fileName + ")");
        }
        try (FactorCsv.FactorReader reader = new FactorCsv.FactorReader(
                new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8)), side, file.toString())) {
            return reader.dimension();
        }
    }

    /** {@code --factors DIR --out SAVEPOINT [--max-parallelism 128]}; also runnable with {@code flink run -c}. */
    public static void main(String[] args) throws Exception {
        CommandArgs a = CommandArgs.parse(args);
        String factors = a.require("factors");
        String out = a.require("out");
        int maxParallelism = a.takeInt("max-parallelism", StreamRecOptions.MAX_PARALLELISM.defaultValue());
        a.rejectUnknown();
        Summary s = bootstrap(StreamExecutionEnvironment.getExecutionEnvironment(), factors, out, maxParallelism);
        System.out.println("wrote savepoint " + s.savepoint() + ": " + s.users() + " users, " + s.items()
                + " items, dimension " + s.dimension());
    }

    /** Streams the rows of one factor file, given by its path, checking each against the header's dimension. */
    static final class FactorFileReader extends RichFlatMapFunction<String, FactorRow> {
        private static final long serialVersionUID = 1L;
        private final FactorCsv.Side side;
        private final int dimension;
        private final String counterName;
        private transient LongCounter rows;

        FactorFileReader(FactorCsv.Side side, int dimension, String counterName) {
            this.side = side;
            this.dimension = dimension;
            this.counterName = counterName;
        }

        @Override
        public void open(OpenContext openContext) {
            rows = getRuntimeContext().getLongCounter(counterName);
        }

        @Override
        public void flatMap(String path, Collector<FactorRow> out) throws Exception {
            Path file = new Path(path);
            try (FactorCsv.FactorReader reader = new FactorCsv.FactorReader(new BufferedReader(
                    new InputStreamReader(file.getFileSystem().open(file), StandardCharsets.UTF_8)), side, path)) {
                if (reader.dimension() != dimension) {
                    throw new IllegalStateException(path + " changed while bootstrapping (dimension "
                            + reader.dimension() + ", was " + dimension + ")");
                }
                for (FactorRow row = reader.next(); row != null; row = reader.next()) {
                    out.collect(row);
                    rows.add(1L);
                }
            }
        }
    }

    /** Fails the job on a second row with the same id (a file from an outside tool may have one). */
    static final class UniqueIds extends KeyedProcessFunction<String, FactorRow, FactorRow> {
        private static final long serialVersionUID = 1L;
        private final FactorCsv.Side side;
        private transient ValueState<Boolean> seen;

        UniqueIds(FactorCsv.Side side) {
            this.side = side;
        }

        @Override
        public void open(OpenContext openContext) {
            seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.BOOLEAN));
        }

        @Override
        public void processElement(FactorRow row, Context ctx, Collector<FactorRow> out) throws Exception {
            if (seen.value() != null) {
                throw new IllegalArgumentException(side.fileName + ": " + side.idColumn + " '" + row.id + "' appears twice");
            }
            seen.update(true);
            out.collect(row);
        }
    }

    static final class RowId implements KeySelector<FactorRow, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(FactorRow row) {
            return row.id;
        }
    }

    /** Writes the UserWorker's state of one user. */
    static final class UserStateBootstrapper extends KeyedStateBootstrapFunction<String, FactorRow> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<UserState> state;

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(SavepointLayout.userState());
        }

        @Override
        public void processElement(FactorRow row, Context ctx) throws Exception {
            UserState s = new UserState();
            s.p = row.vector;
            s.b = row.bias;
            s.interactions = row.interactions;
            s.version = row.version;
            s.seen = new String[0];
            state.update(s);
        }
    }

    /** Writes the ItemServer's state of one item. */
    static final class ItemStateBootstrapper extends KeyedStateBootstrapFunction<String, FactorRow> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<ItemState> state;

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(SavepointLayout.itemState());
        }

        @Override
        public void processElement(FactorRow row, Context ctx) throws Exception {
            ItemState s = new ItemState();
            s.q = row.vector;
            s.b = row.bias;
            s.interactions = row.interactions;
            state.update(s);
        }
    }
}
