package io.evidentsource.core.component;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.observe.QueryKind;
import io.evidentsource.core.query.EventQuery;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Executing commands, and dry runs of them, on state changes published in the {@link
 * ComponentCatalog} (docs/data-model.md#state-views-and-state-changes): the decision reads views at
 * the basis revision, its events get provenance extensions ({@code correlationid}, {@code
 * causationid}, {@code statechange}, {@code statechangeversion}, {@code basisrevision}, {@code
 * principal}, {@code origin}) and are appended with its conditions as one transaction.
 */
public final class StateChanges {
  private final EventStore store;
  private final ComponentCatalog catalog;
  private final ComponentRuntime runtime;
  private final StateViews views;
  private final Clock clock;
  private final Supplier<UUID> ids;

  /**
   * @param store the event store commands append to
   * @param catalog where published state changes are found (and loaded from)
   * @param runtime the WebAssembly host
   * @param views the views a decision reads
   * @param clock the source of effective times
   * @param ids the source of correlation ids when the caller gives none
   */
  public StateChanges(
      EventStore store,
      ComponentCatalog catalog,
      ComponentRuntime runtime,
      StateViews views,
      Clock clock,
      Supplier<UUID> ids) {
    this.store = store;
    this.catalog = catalog;
    this.runtime = runtime;
    this.views = views;
    this.clock = clock;
    this.ids = ids;
  }

  /**
   * Executes a command: decide at the current head, then append the decided events with their
   * conditions. A command carrying a transaction id (REST {@code Idempotency-Key}) that already
   * committed is not decided again: its original transaction and events come back with {@code
   * duplicate} set, before anything is evaluated (docs/data-model.md#fine-points), so a client
   * retrying after a lost answer never sees a rejection or conflict computed on the state its own
   * first attempt changed.
   *
   * @throws EvidentSourceException {@code COMMAND_REJECTED} with fields {@code rejection_code} and
   *     {@code rejection_message}; {@code CONDITION_FAILED} when a returned condition fails (retry
   *     with fresh state); the component errors; the transaction errors
   */
  public CommandResult execute(
      DatabaseName database,
      String name,
      @Nullable Integer version,
      Command command,
      Provenance provenance) {
    var info = store.database(database);
    if (provenance.transactionId() != null) {
      var known = store.findTransaction(info, provenance.transactionId());
      if (known.isPresent()) {
        return replay(database, known.get());
      }
    }
    var decided = decide(info, name, version, command, provenance);
    if (decided.events().isEmpty()) {
      return new CommandResult(decided.basis(), null, List.of());
    }
    var committed =
        store.transact(
            database,
            new Transaction(
                provenance.transactionId(),
                decided.events(),
                decided.conditions(),
                provenance.audit().withOrigin("command")));
    var stored = new ArrayList<StoredEvent>();
    store.stream(
            database,
            EventQuery.all()
                .withRevision(committed.revision())
                .withRange(committed.firstRevision(), committed.revision()),
            Long.MAX_VALUE,
            QueryKind.INTERNAL)
        .events()
        .forEachRemaining(stored::add);
    return new CommandResult(decided.basis(), committed, stored);
  }

  /**
   * Decides a command as {@link #execute} would, at the current head, and checks the decision's
   * conditions there, but appends nothing: the events (with their provenance extensions) and
   * conditions a real run would append if nothing were appended in between. A dry run decides
   * afresh even when {@link Provenance#transactionId()} already committed (a real run would then
   * return that transaction instead).
   *
   * @throws EvidentSourceException {@code COMMAND_REJECTED} as {@link #execute}; the component
   *     errors
   */
  public CommandDryRun dryRun(
      DatabaseName database,
      String name,
      @Nullable Integer version,
      Command command,
      Provenance provenance) {
    var info = store.database(database);
    var decided = decide(info, name, version, command, provenance);
    return new CommandDryRun(
        decided.basis(), decided.events(), store.checkConditions(info, decided.conditions()));
  }

  /** A decision at {@code basis}: its events with provenance, and its conditions. */
  private record Decided(long basis, List<Event> events, List<AppendCondition> conditions) {}

  /**
   * Runs {@code decide} at the head {@code info} describes and adds the provenance extensions.
   *
   * @throws EvidentSourceException {@code COMMAND_REJECTED} for a rejection
   */
  private Decided decide(
      DatabaseInfo info,
      String name,
      @Nullable Integer version,
      Command command,
      Provenance provenance) {
    var database = info.name();
    var id = catalog.describe(info, ComponentKind.STATE_CHANGE, name, version).id();
    catalog.ensureLoaded(id);
    long basis = info.revision();
    var correlationId =
        provenance.correlationId() != null
            ? provenance.correlationId()
            : (provenance.transactionId() != null ? provenance.transactionId() : ids.get())
                .toString();
    var metadata =
        new DecideMetadata(
            database,
            basis,
            info.revisionTime(),
            clock.instant(),
            provenance.principal(),
            correlationId,
            provenance.causationId());
    ComponentRuntime.ViewReader reader =
        (view, params) -> views.read(database, view, null, StateViewRead.at(basis, params));
    DecideResult.Decision decision =
        runtime
            .decide(id, command, metadata, reader)
            .match(
                accepted -> accepted,
                rejection -> {
                  throw rejected(name, rejection);
                });
    var events = new ArrayList<Event>();
    for (var e : decision.events()) {
      var b = e.toBuilder();
      b.extension("correlationid", correlationId);
      if (provenance.causationId() != null) {
        b.extension("causationid", provenance.causationId());
      }
      b.extension("statechange", name);
      b.extension("statechangeversion", id.version());
      b.extension(
          "basisrevision",
          basis <= Integer.MAX_VALUE ? (Object) (int) basis : Long.toString(basis));
      if (provenance.principal() != null) {
        b.extension("principal", provenance.principal());
      }
      b.extension("origin", provenance.origin());
      events.add(b.build());
    }
    return new Decided(basis, events, decision.conditions());
  }

  private static EvidentSourceException rejected(String name, DecideResult.Rejection rejection) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("rejection_code", rejection.code());
    fields.put("rejection_message", rejection.message());
    return new EvidentSourceException(
        ErrorCode.COMMAND_REJECTED,
        "state change '" + name + "' rejected the command: " + rejection.message(),
        fields);
  }

  /** The answer to a repeated command: the committed transaction and its events, as stored. */
  private CommandResult replay(DatabaseName database, TransactionResult committed) {
    var stored = new ArrayList<StoredEvent>();
    store.stream(
            database,
            EventQuery.all()
                .withRevision(committed.revision())
                .withRange(committed.firstRevision(), committed.revision()),
            Long.MAX_VALUE,
            QueryKind.INTERNAL)
        .events()
        .forEachRemaining(stored::add);
    // the basis the first attempt decided on, from the provenance it recorded
    Object basis = stored.get(0).event().extensions().get("basisrevision");
    long basisRevision =
        basis == null ? committed.firstRevision() - 1 : Long.parseLong(basis.toString());
    return new CommandResult(basisRevision, committed, stored);
  }
}
