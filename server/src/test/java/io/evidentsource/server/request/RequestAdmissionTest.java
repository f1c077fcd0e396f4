package io.evidentsource.server.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Fair admission per database and per principal, without a server (docs/limits.md). */
@Timeout(60)
class RequestAdmissionTest {
  final List<RequestAdmission.Permit> held = new ArrayList<>();

  @AfterEach
  void release() {
    held.forEach(RequestAdmission.Permit::close);
  }

  static RequestAdmission admission(int perDatabase, int perPrincipal, int queued, Duration wait) {
    return new RequestAdmission(
        new RequestAdmission.Limits(perDatabase, perPrincipal, queued, wait));
  }

  RequestAdmission.Permit hold(RequestAdmission admission, String db, String principal) {
    var permit = admission.admit(db, principal);
    held.add(permit);
    return permit;
  }

  /** Waits for a state the test cannot otherwise observe (a thread parked in the queue). */
  static void await(BooleanSupplier condition) throws InterruptedException {
    while (!condition.getAsBoolean()) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }

  static EvidentSourceException refusal(Runnable admit) {
    try {
      admit.run();
    } catch (EvidentSourceException e) {
      return e;
    }
    throw new AssertionError("the request was admitted");
  }

  @Nested
  class per_database {
    @Test
    void admits_up_to_the_bound_then_refuses_naming_the_limit_and_the_database() {
      var admission = admission(2, 100, 0, Duration.ZERO);
      hold(admission, "flooded", null);
      hold(admission, "flooded", null);
      assertThat(admission.inFlight("flooded")).isEqualTo(2);

      var refused = refusal(() -> admission.admit("flooded", null));
      assertThat(refused.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
      assertThat(refused.fields())
          .containsEntry("limit", 2)
          .containsEntry("limit_name", "evidentsource.limits.max-requests-per-database")
          .containsEntry("database", "flooded")
          .containsEntry("queue_limit_name", "evidentsource.limits.max-queued-requests");
      assertThat(refused.getMessage())
          .contains("'flooded'", "evidentsource.limits.max-requests-per-database");
    }

    @Test
    void another_database_is_admitted_at_once_while_one_is_full() {
      var admission = admission(1, 100, 0, Duration.ZERO);
      hold(admission, "flooded", null);
      hold(admission, "quiet", null);
      assertThat(admission.inFlight("quiet")).isEqualTo(1);
    }

    @Test
    void a_waiting_request_gets_the_place_that_comes_free() throws Exception {
      var admission = admission(1, 100, 1, Duration.ofMinutes(1));
      var first = hold(admission, "db", null);
      var waiting = CompletableFuture.supplyAsync(() -> admission.admit("db", null));
      await(() -> admission.waiting("db") == 1);
      assertThat(waiting).isNotDone();

      // the queue (one place) is full: the next is refused at once
      var refused = refusal(() -> admission.admit("db", null));
      assertThat(refused.fields())
          .containsEntry("queue_limit_name", "evidentsource.limits.max-queued-requests");

      first.close();
      held.add(waiting.get(30, TimeUnit.SECONDS));
      assertThat(admission.inFlight("db")).isEqualTo(1);
      assertThat(admission.waiting("db")).isZero();
    }

    @Test
    void a_wait_that_runs_out_is_refused_naming_the_queue_timeout() {
      var admission = admission(1, 100, 5, Duration.ofMillis(1));
      hold(admission, "db", null);
      var refused = refusal(() -> admission.admit("db", null));
      assertThat(refused.fields())
          .containsEntry("limit", 1)
          .containsEntry("queue_limit_name", "evidentsource.limits.request-queue-timeout");
      assertThat(admission.waiting("db")).isZero();
    }
  }

  @Nested
  class per_principal {
    @Test
    void one_key_is_bounded_over_all_its_databases_and_another_key_is_not() {
      var admission = admission(10, 2, 0, Duration.ZERO);
      hold(admission, "a", "alice");
      hold(admission, "b", "alice");
      var refused = refusal(() -> admission.admit("c", "alice"));
      assertThat(refused.fields())
          .containsEntry("limit", 2)
          .containsEntry("limit_name", "evidentsource.limits.max-requests-per-principal")
          .containsEntry("principal", "alice");
      // the refused request took no place of its database
      assertThat(admission.inFlight("c")).isZero();
      hold(admission, "c", "bob");
      assertThat(admission.inFlightOfPrincipal("bob")).isEqualTo(1);
    }

    @Test
    void a_request_refused_by_its_database_gives_its_keys_place_back() {
      var admission = admission(1, 5, 0, Duration.ZERO);
      hold(admission, "a", "alice");
      refusal(() -> admission.admit("a", "alice"));
      assertThat(admission.inFlightOfPrincipal("alice")).isEqualTo(1);
    }

    @Test
    void requests_without_a_principal_count_only_for_their_database() {
      var admission = admission(5, 1, 0, Duration.ZERO);
      hold(admission, "a", null);
      hold(admission, "b", null);
      assertThat(admission.inFlight("a") + admission.inFlight("b")).isEqualTo(2);
    }
  }

  @Test
  void nothing_is_kept_for_a_database_or_key_once_its_requests_are_done() {
    var admission = admission(1, 1, 0, Duration.ZERO);
    var permit = admission.admit("made-up-" + System.nanoTime(), "alice");
    refusal(() -> admission.admit("other", "alice"));
    assertThat(admission.tracked()).isEqualTo(2);
    permit.close();
    permit.close(); // closing twice gives back one place
    assertThat(admission.tracked()).isZero();
    hold(admission, "other", "alice");
    assertThat(admission.inFlightOfPrincipal("alice")).isEqualTo(1);
  }

  @Test
  void limits_out_of_range_name_their_property() {
    assertThatThrownBy(() -> admission(0, 1, 0, Duration.ZERO))
        .hasMessageContaining("evidentsource.limits.max-requests-per-database");
    assertThatThrownBy(() -> admission(1, 0, 0, Duration.ZERO))
        .hasMessageContaining("evidentsource.limits.max-requests-per-principal");
    assertThatThrownBy(() -> admission(1, 1, -1, Duration.ZERO))
        .hasMessageContaining("evidentsource.limits.max-queued-requests");
    assertThatThrownBy(() -> admission(1, 1, 0, Duration.ofSeconds(-1)))
        .hasMessageContaining("evidentsource.limits.request-queue-timeout");
  }
}
