package io.evidentsource.wasm;

import static io.evidentsource.wasm.Fixture.DB;
import static io.evidentsource.wasm.Fixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.component.Command;
import io.evidentsource.core.component.Provenance;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateViewRead;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.json.JsonSupport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bank example (guests/go/account-summary and guests/go/transfer, built from source): a
 * transfer reads both accounts and guards its append with a condition on each account's subject.
 */
class BankExampleTest {
  static final int ACCOUNTS = 6;
  static final long OPENING = 100;

  private final Fixture f = new Fixture();

  @BeforeEach
  void open() {
    f.publishView(
        new io.evidentsource.core.component.StateViewDefinition(
            "account-summary",
            "balance",
            "application/json",
            null,
            new EventSelector.Equals(Attribute.SUBJECT, "account/{account_id}"),
            io.evidentsource.core.component.QueryTemporality.REVISION),
        Toolchains.go("account-summary"));
    f.publishChange(
        new StateChangeDefinition("transfer", "moves money"), Toolchains.go("transfer"));
    var deposits = new ArrayList<Event>();
    for (int i = 0; i < ACCOUNTS; i++) {
      deposits.add(
          Event.builder()
              .id("open-" + i)
              .source("bank")
              .type("Deposited")
              .subject("account/a" + i)
              .jsonData("{\"amount\":" + OPENING + "}")
              .build());
    }
    f.store.transact(DB, Transaction.of(deposits));
  }

  @AfterEach
  void close() {
    f.close();
  }

  private Map<String, Object> transfer(String id, String from, String to, long amount) {
    var body =
        "{\"transfer_id\":\""
            + id
            + "\",\"from\":\""
            + from
            + "\",\"to\":\""
            + to
            + "\",\"amount\":"
            + amount
            + "}";
    var result =
        f.changes.execute(
            DB,
            "transfer",
            null,
            new Command("application/json", Map.of(), body.getBytes(StandardCharsets.UTF_8)),
            Provenance.http());
    return Map.of("revision", result.transaction().revision(), "events", result.events());
  }

  private long balance(String account) {
    var r =
        f.views.read(
            DB, "account-summary", null, StateViewRead.latest(Map.of("account_id", account)));
    return JsonSupport.parse(r.content()).get("balance").longValue();
  }

  @Test
  void a_transfer_moves_money_and_records_provenance() {
    var result = transfer("t1", "a0", "a1", 30);
    assertThat(balance("a0")).isEqualTo(70);
    assertThat(balance("a1")).isEqualTo(130);
    @SuppressWarnings("unchecked")
    var events = (List<io.evidentsource.core.model.StoredEvent>) result.get("events");
    assertThat(events).extracting(e -> e.event().type()).containsExactly("Debited", "Credited");
    assertThat(events.get(0).event().extensions())
        .containsEntry("statechange", "transfer")
        .containsEntry("statechangeversion", 1)
        .containsEntry("basisrevision", ACCOUNTS)
        .containsEntry("origin", "http")
        .containsKey("correlationid");
  }

  @Test
  void an_overdraft_is_rejected_with_the_components_code() {
    assertThatThrownBy(() -> transfer("t1", "a0", "a1", OPENING + 1))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.COMMAND_REJECTED);
              assertThat(e.fields()).containsEntry("rejection_code", "insufficient_funds");
            });
    assertThat(balance("a0")).isEqualTo(OPENING);
  }

  @Test
  void a_rejection_quoting_control_characters_from_the_command_is_still_valid_json() {
    // fastjson quotes such strings with Go escapes (\\a, \\x01) that JSON lacks; the SDK rewrites
    // them, so the guest's params for view_state and its rejection both reach the host intact
    var account = "odd\u0007\u0001\u007f\"id";
    var body =
        "{\"transfer_id\":\"t1\",\"from\":"
            + JsonSupport.mapper().getNodeFactory().stringNode(account)
            + ",\"to\":\"a1\",\"amount\":5}";
    assertThatThrownBy(
            () ->
                f.changes.execute(
                    DB,
                    "transfer",
                    null,
                    new Command(
                        "application/json", Map.of(), body.getBytes(StandardCharsets.UTF_8)),
                    Provenance.http()))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.COMMAND_REJECTED);
              assertThat(e.fields()).containsEntry("rejection_code", "insufficient_funds");
              assertThat(e.getMessage()).contains("account " + account + " holds 0");
            });
  }

  private static Command json(String body) {
    return new Command("application/json", Map.of(), body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void a_dry_run_shows_the_transfers_events_and_checked_conditions_and_appends_nothing() {
    var body = "{\"transfer_id\":\"t1\",\"from\":\"a0\",\"to\":\"a1\",\"amount\":30}";
    long head = f.store.database(DB).revision();

    var dry = f.changes.dryRun(DB, "transfer", null, json(body), Provenance.http());

    assertThat(dry.basisRevision()).isEqualTo(head);
    assertThat(dry.events()).extracting(Event::type).containsExactly("Debited", "Credited");
    assertThat(dry.events().get(0).extensions())
        .containsEntry("statechange", "transfer")
        .containsEntry("basisrevision", (int) head)
        .containsEntry("origin", "http");
    // NothingSince(account/a0, 1) and NothingSince(account/a1, 2): the deposits at revisions 1, 2
    assertThat(dry.conditions())
        .extracting(c -> c.actualRevision(), c -> c.holds())
        .containsExactly(Tuple.tuple(1L, true), Tuple.tuple(2L, true));
    assertThat(f.store.database(DB).revision()).isEqualTo(head);
    assertThat(balance("a0")).isEqualTo(OPENING);
  }

  @Test
  void a_dry_run_of_an_overdraft_is_rejected_like_a_real_run() {
    var body = "{\"transfer_id\":\"t1\",\"from\":\"a0\",\"to\":\"a1\",\"amount\":1000}";
    assertThatThrownBy(() -> f.changes.dryRun(DB, "transfer", null, json(body), Provenance.http()))
        .isInstanceOfSatisfying(
            EvidentSourceException.class,
            e -> assertThat(e.fields()).containsEntry("rejection_code", "insufficient_funds"));
  }

  @Test
  void a_repeated_command_returns_the_original_transaction_without_deciding_again() {
    var key = java.util.UUID.randomUUID();
    var body =
        "{\"transfer_id\":\"drain\",\"from\":\"a0\",\"to\":\"a1\",\"amount\":" + OPENING + "}";
    var command = new Command("application/json", Map.of(), body.getBytes(StandardCharsets.UTF_8));
    var provenance = new Provenance(null, "http", null, null, key);
    var first = f.changes.execute(DB, "transfer", null, command, provenance);
    assertThat(first.transaction().duplicate()).isFalse();
    f.append(event("other", "account/a9")); // the head moves on

    // deciding again would reject it: a0 is empty now; the retry gets the original answer instead
    var retry = f.changes.execute(DB, "transfer", null, command, provenance);

    assertThat(retry.transaction().duplicate()).isTrue();
    assertThat(retry.transaction().revision()).isEqualTo(first.transaction().revision());
    assertThat(retry.basisRevision()).isEqualTo(first.basisRevision());
    assertThat(retry.events()).isEqualTo(first.events());
    assertThat(balance("a0")).isZero();
    assertThat(balance("a1")).isEqualTo(2 * OPENING);
  }

  @Test
  void many_concurrent_transfers_never_overdraw_an_account() throws Exception {
    int threads = 4;
    int perThread = 25;
    var conflicts = new AtomicInteger();
    var rejected = new AtomicInteger();
    var committed = new AtomicInteger();
    var pool = Executors.newFixedThreadPool(threads);
    try {
      var tasks = new ArrayList<Callable<Void>>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        tasks.add(
            () -> {
              var random = new Random(thread);
              for (int i = 0; i < perThread; i++) {
                int from = random.nextInt(ACCOUNTS);
                int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                long amount = 1L + random.nextInt(60);
                for (int attempt = 0; ; attempt++) {
                  try {
                    transfer("t" + thread + "-" + i, "a" + from, "a" + to, amount);
                    committed.incrementAndGet();
                    break;
                  } catch (EvidentSourceException e) {
                    if (e.code() == ErrorCode.CONDITION_FAILED && attempt < 50) {
                      conflicts
                          .incrementAndGet(); // someone moved one of the accounts: decide again
                      continue;
                    }
                    if (e.code() == ErrorCode.COMMAND_REJECTED) {
                      rejected.incrementAndGet();
                      break;
                    }
                    throw e;
                  }
                }
              }
              return null;
            });
      }
      for (var future : pool.invokeAll(tasks)) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(committed.get() + rejected.get()).isEqualTo(threads * perThread);
    // balances recomputed from the stored events, independently of the view
    var fromEvents = new HashMap<String, Long>();
    var all = f.store.stream(DB, EventQuery.all(), Long.MAX_VALUE).events();
    long total = 0;
    while (all.hasNext()) {
      var e = all.next().event();
      var account = e.subject().substring("account/".length());
      var data = e.data();
      long amount =
          JsonSupport.parse(((io.evidentsource.core.model.EventData.Json) data).utf8())
              .get("amount")
              .longValue();
      long signed = e.type().equals("Debited") ? -amount : amount;
      fromEvents.merge(account, signed, Long::sum);
      // the running balance of the debited account never went below zero
      assertThat(fromEvents.get(account))
          .as("balance of %s after %s", account, e.id())
          .isGreaterThanOrEqualTo(0);
      total += signed;
    }
    assertThat(total).isEqualTo(ACCOUNTS * OPENING);
    for (int i = 0; i < ACCOUNTS; i++) {
      assertThat(balance("a" + i)).isEqualTo(fromEvents.get("a" + i)).isGreaterThanOrEqualTo(0);
    }
    System.out.printf(
        "bank: %d committed, %d rejected, %d condition conflicts retried%n",
        committed.get(), rejected.get(), conflicts.get());
  }

  @Test
  void a_fold_whose_inputs_outgrow_the_guests_input_buffer_stays_exact() {
    // ~180 KiB of events per evolve call: more than the Go SDK's first 64 KiB input buffer, so
    // the guest grows it while the state it was handed first must stay readable
    var memo = "x".repeat(200);
    long expected = OPENING;
    for (int round = 0; round < 3; round++) {
      var deposits = new ArrayList<Event>();
      for (int i = 1; i <= 600; i++) {
        deposits.add(
            Event.builder()
                .id("deposit-" + round + "-" + i)
                .source("bank")
                .type("Deposited")
                .subject("account/a0")
                .jsonData("{\"amount\":" + i + ",\"memo\":\"" + memo + "\"}")
                .build());
        expected += i;
        if (deposits.size() == 25) { // the store's batch limit
          f.store.transact(DB, Transaction.of(deposits));
          deposits.clear();
        }
      }
      assertThat(balance("a0")).as("after round %d", round).isEqualTo(expected);
    }
    var read = StateViewRead.latest(Map.of("account_id", "a0"));
    assertThat(f.views.foldFromScratch(DB, "account-summary", null, read))
        .isEqualTo(f.views.read(DB, "account-summary", null, read).content());
    assertThat(transfer("t1", "a0", "a1", expected).get("revision")).isNotNull();
    assertThat(balance("a0")).isZero();
  }
}
