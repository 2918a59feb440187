package io.streamrec.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SIGKILL of a TaskManager JVM that runs a subtask of the job (what a lost machine or container
 * looks like to Flink), then a replacement TaskManager is started, as a resource manager would.
 */
final class TaskManagerKill extends Fault {

    TaskManagerKill() {
        super(FaultKind.TASKMANAGER_KILL);
    }

    @Override
    String inject(ChaosEnvironment env, SplittableRandom random) {
        List<String> running = taskManagersRunningTheJob(env);
        if (running.isEmpty()) {
            running = env.cluster.processNames().stream()
                    .filter(n -> n.startsWith("taskmanager-") && env.cluster.isAlive(n)).toList();
        }
        if (running.isEmpty()) {
            throw new IllegalStateException("no TaskManager is alive to kill");
        }
        String victim = running.get(random.nextInt(running.size()));
        env.cluster.kill(victim);
        String replacement = env.cluster.startTaskManager();
        return victim + " SIGKILL, " + replacement + " started";
    }

    /** The resource ids (= process names) of the TaskManagers that run a subtask of the job now. */
    private static List<String> taskManagersRunningTheJob(ChaosEnvironment env) {
        List<String> names = new ArrayList<>();
        try {
            for (JsonNode vertex : env.rest.job(env.jobId).path("vertices")) {
                for (JsonNode subtask : env.rest.vertex(env.jobId, vertex.path("id").asText()).path("subtasks")) {
                    String tm = subtask.path("taskmanager-id").asText();
                    if (tm.startsWith("taskmanager-") && !names.contains(tm) && env.cluster.isAlive(tm)) {
                        names.add(tm);
                    }
                }
            }
        } catch (RuntimeException restUnavailable) {
            // the job is restarting: any live TaskManager will do
        }
        return names;
    }
}
