package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A value of {@code evidentsource.observability.record-spans} other than {@code when-exported} or
 * {@code always} (docs/operations.md#traces) stops the server from starting, with an error that
 * names the property and the values it takes. Spring Boot's own report does (its failure analysis
 * of the bind error lists an enum's constants), so there is no message of our own to keep in step.
 */
@ExtendWith(OutputCaptureExtension.class)
class RecordSpansSettingTest {

  @Test
  void refuses_an_unknown_value_naming_the_property_and_the_allowed_values(CapturedOutput output) {
    Throwable thrown =
        catchThrowable(
            () -> {
              try (var ctx =
                  new SpringApplicationBuilder(EvidentSourceServer.class)
                      .profiles("memory")
                      .properties("server.port=0", "spring.main.banner-mode=off")
                      // an argument: application.properties sets the property, and outranks
                      // the builder's default properties
                      .run("--evidentsource.observability.record-spans=sometimes")) {
                throw new AssertionError("started: " + ctx.getId());
              }
            });
    assertThat(thrown).isNotNull().isNotInstanceOf(AssertionError.class);
    assertThat(thrown)
        .hasStackTraceContaining(
            "Failed to bind properties under 'evidentsource.observability.record-spans'")
        .hasStackTraceContaining("sometimes");
    // Spring Boot's failure analysis, logged as the server stops, lists the values the enum takes
    // (relaxed binding reads ALWAYS as always and WHEN_EXPORTED as when-exported)
    assertThat(output.getAll())
        .contains("APPLICATION FAILED TO START")
        .contains("Property: evidentsource.observability.record-spans")
        .contains("Value: \"sometimes\"")
        .containsPattern("The following values are valid:\\s+ALWAYS\\s+WHEN_EXPORTED\\s");
  }
}
