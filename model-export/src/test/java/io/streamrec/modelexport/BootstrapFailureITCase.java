package io.streamrec.modelexport;

import io.streamrec.job.OperatorIds;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Why {@link ModelBootstrap} validates before its bootstrap functions and reads the savepoint back:
 * in Flink 2.2 an exception inside a {@code KeyedStateBootstrapFunction} does not fail the job. If
 * this characterization test starts failing after a Flink upgrade, the workaround can be revisited.
 */
class BootstrapFailureITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    Path tmp;

    @Test
    void anExceptionInABootstrapFunctionIsNotReportedAndTheKeysAreMissing() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(1);
        // fewer rows than the 16-element hand-off queue of BootstrapStreamTaskRunner: with more,
        // the task blocks forever once the bootstrap thread has died
        List<FactorRow> rows = List.of(
                new FactorRow("u1", 0f, 1, 0, new float[] {1f}),
                new FactorRow("boom", 0f, 1, 0, new float[] {2f}),
                new FactorRow("u3", 0f, 1, 0, new float[] {3f}));
        String savepoint = tmp.resolve("sp").toString();
        SavepointWriter.newSavepoint(env, 128)
                .withOperator(OperatorIdentifier.forUid(OperatorIds.USER_WORKER),
                        OperatorTransformation.bootstrapWith(env.fromData(TypeInformation.of(FactorRow.class), rows.toArray(new FactorRow[0])))
                                .keyBy(new ModelBootstrap.RowId(), Types.STRING)
                                .transform(new FailingBootstrapper()))
                .withOperator(OperatorIdentifier.forUid(OperatorIds.ITEM_SERVER),
                        OperatorTransformation.bootstrapWith(env.fromData(TypeInformation.of(FactorRow.class),
                                        new FactorRow("i1", 0f, 1, 0, new float[] {1f})))
                                .keyBy(new ModelBootstrap.RowId(), Types.STRING)
                                .transform(new ModelBootstrap.ItemStateBootstrapper()))
                .write(savepoint);

        env.execute("bootstrap with a failing function"); // succeeds

        Map<FactorCsv.Side, Long> written = ModelExport.countRows(StreamExecutionEnvironment.getExecutionEnvironment(), savepoint);
        assertThat(written.get(FactorCsv.Side.USERS)).as("users in the savepoint").isLessThan(3);
        assertThat(written.get(FactorCsv.Side.ITEMS)).isEqualTo(1);
        assertThatThrownBy(() -> ModelBootstrap.verify(StreamExecutionEnvironment.getExecutionEnvironment(), savepoint, 3, 1))
                .hasMessageContaining("3 users and 1 items were read: a bootstrap task failed");
    }

    /** The UserWorker's state writer, failing on one key. */
    static final class FailingBootstrapper extends KeyedStateBootstrapFunction<String, FactorRow> {
        private transient ValueState<io.streamrec.operators.state.UserState> state;

        @Override
        public void open(OpenContext openContext) {
            state = getRuntimeContext().getState(io.streamrec.operators.state.SavepointLayout.userState());
        }

        @Override
        public void processElement(FactorRow row, Context ctx) throws Exception {
            if (row.id.equals("boom")) {
                throw new IllegalStateException("injected failure in a bootstrap function (test)");
            }
            io.streamrec.operators.state.UserState s = new io.streamrec.operators.state.UserState();
            s.p = row.vector;
            s.seen = new String[0];
            state.update(s);
        }
    }
}
