package dev.berth.proxy.it.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Skips the annotated test class (or method) when no Docker engine is reachable, and says so on
 * the console: Surefire counts skipped tests but keeps the reason only in its XML report, so the
 * condition also prints one {@code [SKIPPED] ...: Docker is not available: ...} line to stderr.
 * Like {@code @Testcontainers(disabledWithoutDocker = true)}, but visible; the Docker probe runs
 * once per JVM and is fast when there is no engine.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(RequiresDocker.Condition.class)
public @interface RequiresDocker {

  /** The JUnit condition behind {@link RequiresDocker}. */
  final class Condition implements ExecutionCondition {
    private static String unavailableReason; // null = not probed yet; "" = available
    private static final Object LOCK = new Object();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String reason = probe();
      if (reason.isEmpty()) {
        return ConditionEvaluationResult.enabled("Docker is available");
      }
      String message = "Docker is not available: " + reason;
      System.err.println("[SKIPPED] " + context.getDisplayName() + ": " + message);
      return ConditionEvaluationResult.disabled(message);
    }

    private static String probe() {
      synchronized (LOCK) {
        if (unavailableReason == null) {
          try {
            DockerClientFactory.instance().client();
            unavailableReason = "";
          } catch (RuntimeException e) {
            String dockerHost = System.getenv("DOCKER_HOST");
            unavailableReason =
                e.getClass().getSimpleName()
                    + " from Testcontainers (DOCKER_HOST "
                    + (dockerHost == null ? "unset" : "=" + dockerHost)
                    + ", /var/run/docker.sock "
                    + (java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                        ? "exists"
                        : "missing")
                    + "; details: logger org.testcontainers.dockerclient at INFO in"
                    + " logback-test.xml)";
          }
        }
        return unavailableReason;
      }
    }
  }
}
