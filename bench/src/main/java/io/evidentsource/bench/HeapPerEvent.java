package io.evidentsource.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.index.IndexManager;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventData;
import io.evidentsource.core.model.Utf8;
import io.evidentsource.core.port.AppendRequest;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.QueryPage;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.memory.InMemoryStorageAdapter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Measures the heap the in-memory event store keeps per event beyond the event's own payload.
 *
 * <p>Loads N events through {@link EventStore#transact} (batches of {@code --batch} events, one
 * subject per batch), runs one query so the index is caught up, forces full GCs until the used heap
 * is stable, and compares with the heap before. The payload of an event is its data bytes plus the
 * UTF-8 bytes of its string attributes ({@link Workload#payloadBytes}); everything else (object
 * headers, references, String and array headers, the log's arrays, the idempotency map, the index)
 * is overhead.
 *
 * <p>Because a store may keep one copy of a repeated attribute value (source, type, subject,
 * content type) per database, the heap per event is also reported beyond the payload that no
 * representation can share: the id and the data.
 *
 * <p>Then, for a breakdown, the same events are loaded again in two steps with a heap measurement
 * after each: appended to the adapter directly (the log, no index), then an index built over that
 * log with {@link IndexManager}.
 *
 * <p>Options: {@code --events N} (1000000), {@code --batch B} (25), {@code --subjects S} (10000),
 * {@code --strings fresh|shared} (fresh). {@code fresh} gives every event its own String instances
 * for every attribute, as a JSON decoder does; {@code shared} reuses one instance per distinct
 * source, type, subject and content type (only ids are per event). Run with a heap of a few GB,
 * e.g. {@code java -Xmx4g -cp bench/target/benchmarks.jar io.evidentsource.bench.HeapPerEvent}.
 */
public final class HeapPerEvent {
  private static final long GOAL_BYTES_BEYOND_PAYLOAD = 200;

  private final int events;
  private final int batch;
  private final int subjects;
  private final boolean freshStrings;
  private final String[] subjectNames;

  private HeapPerEvent(int events, int batch, int subjects, boolean freshStrings) {
    this.events = events;
    this.batch = batch;
    this.subjects = subjects;
    this.freshStrings = freshStrings;
    this.subjectNames = Workload.subjects(subjects);
  }

  public static void main(String[] args) throws InterruptedException {
    int events = 1_000_000;
    int batch = 25;
    int subjects = Workload.DEFAULT_SUBJECTS;
    String strings = "fresh";
    for (int i = 0; i < args.length; i += 2) {
      String a = args[i];
      if (!a.equals("--events")
          && !a.equals("--batch")
          && !a.equals("--subjects")
          && !a.equals("--strings")) {
        throw usage("unknown option " + a);
      }
      if (i + 1 >= args.length) {
        throw usage("missing value for " + a);
      }
      String v = args[i + 1];
      switch (a) {
        case "--events" -> events = Integer.parseInt(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--subjects" -> subjects = Integer.parseInt(v);
        default -> strings = v;
      }
    }
    if (!strings.equals("fresh") && !strings.equals("shared")) {
      throw usage("--strings must be fresh or shared");
    }
    if (batch < 1 || batch > 25) {
      throw usage("--batch must be 1..25 (the default batch limit)");
    }
    new HeapPerEvent(events, batch, subjects, strings.equals("fresh")).run();
  }

  /** Prints the problem and the usage, then exits with status 2; never returns normally. */
  private static IllegalStateException usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: HeapPerEvent [--events N] [--batch 1..25] [--subjects S] [--strings fresh|shared]");
    System.exit(2);
    return new IllegalStateException(problem); // not reached: exit does not return
  }

  // the fences keep the measured structures reachable until the heap is measured; they guard no
  // native resource, so there is nothing for a finally block to release
  @SuppressWarnings("ReachabilityFenceUsage")
  private void run() throws InterruptedException {
    System.out.printf(
        Locale.ROOT,
        "HeapPerEvent: %,d events, %d-event transactions, %,d subjects, strings=%s%n"
            + "JVM: %s %s, GC %s, max heap %,d MB, compressed oops %s%n%n",
        events,
        batch,
        subjects,
        freshStrings ? "fresh (own String per attribute, as decoded from JSON)" : "shared",
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        gcNames(),
        Runtime.getRuntime().maxMemory() >> 20,
        vmOption("UseCompressedOops"));

    // 1. The headline: everything the store holds, loaded through EventStore.
    long before = usedAfterGc();
    var store = EventStore.create(new InMemoryStorageAdapter());
    var db = DatabaseName.of("heap");
    store.createDatabase(db);
    long payload = 0;
    long uniquePayload = 0; // id and data only: what no representation can share between events
    long seq = 0;
    var rnd = new SplittableRandom(7);
    var started = System.nanoTime();
    while (seq < events) {
      int n = (int) Math.min(batch, events - seq);
      String subject = subjectNames[rnd.nextInt(subjects)];
      var tx = new ArrayList<Event>(n);
      for (int i = 0; i < n; i++) {
        Event e = event(seq++, subject);
        payload += Workload.payloadBytes(e);
        uniquePayload += Utf8.length(e.id()) + Objects.requireNonNull(e.data()).sizeBytes();
        tx.add(e);
      }
      store.transact(db, Transaction.of(tx));
    }
    long loadMillis = (System.nanoTime() - started) / 1_000_000;
    // one query, so the index is certainly caught up to the head
    QueryPage page = store.query(db, EventQuery.of(EventSelector.subject(subjectNames[0])));
    long after = usedAfterGc();
    long head = store.database(db).revision();
    if (head != events) {
      throw new IllegalStateException("expected " + events + " events, database has " + head);
    }
    double payloadPer = (double) payload / events;
    double uniquePayloadPer = (double) uniquePayload / events;
    double totalPer = (double) (after - before) / events;
    double beyond = totalPer - payloadPer;
    System.out.printf(
        Locale.ROOT,
        "Loaded through EventStore.transact in %,d ms (%,.0f events/s, not a benchmark);"
            + " probe query returned %d events%n",
        loadMillis,
        events / (loadMillis / 1000.0),
        page.events().size());
    System.out.printf(
        Locale.ROOT,
        "  heap used: before %,d MB, after %,d MB, delta %,d MB%n",
        before >> 20,
        after >> 20,
        (after - before) >> 20);
    System.out.printf(Locale.ROOT, "  payload per event:            %8.1f bytes%n", payloadPer);
    System.out.printf(Locale.ROOT, "  heap per event (total):       %8.1f bytes%n", totalPer);
    System.out.printf(
        Locale.ROOT,
        "  HEAP BEYOND PAYLOAD:          %8.1f bytes/event  (goal <= %d: %s)%n",
        beyond,
        GOAL_BYTES_BEYOND_PAYLOAD,
        beyond <= GOAL_BYTES_BEYOND_PAYLOAD ? "met" : "NOT met");
    System.out.printf(
        Locale.ROOT,
        "  heap beyond id + data only:   %8.1f bytes/event  (id + data = %.1f bytes; source, type,"
            + " subject and content type may be stored once per distinct value)%n%n",
        totalPer - uniquePayloadPer,
        uniquePayloadPer);
    Reference.reachabilityFence(store);
    store = null;

    // 2. Breakdown: the adapter's log alone (appended directly, no index), then an index built
    // over that log, on a second load of the same events.
    long b0 = usedAfterGc();
    rnd = new SplittableRandom(7);
    var storage = new InMemoryStorageAdapter();
    DatabaseInfo info = storage.createDatabase(db, Instant.now());
    seq = 0;
    while (seq < events) {
      int n = (int) Math.min(batch, events - seq);
      String subject = subjectNames[rnd.nextInt(subjects)];
      var tx = new ArrayList<Event>(n);
      for (int i = 0; i < n; i++) {
        tx.add(event(seq++, subject));
      }
      var outcome =
          storage.append(
              new AppendRequest(
                  db, info.generation(), seq - n, tx, UUID.randomUUID(), Instant.now()));
      if (!outcome.match(committed -> true, headMoved -> false, duplicate -> false)) {
        throw new IllegalStateException("append failed: " + outcome);
      }
    }
    long b1 = usedAfterGc();
    var indexes = new IndexManager(storage);
    indexes.caughtUp(storage.findDatabase(db).orElseThrow());
    long b2 = usedAfterGc();
    Reference.reachabilityFence(storage);
    Reference.reachabilityFence(indexes);

    double logPer = (double) (b1 - b0) / events;
    double indexPer = (double) (b2 - b1) / events;
    System.out.println("Breakdown (a second load of the same events, measured step by step):");
    System.out.printf(
        Locale.ROOT,
        "  adapter log (events as stored + chunks, transaction times, idempotency map):"
            + " %7.1f bytes/event, %6.1f beyond payload%n",
        logPer,
        logPer - payloadPer);
    System.out.printf(
        Locale.ROOT,
        "  index (postings, id hash, effective and recorded times):"
            + "                     %7.1f bytes/event%n",
        indexPer);
    System.out.printf(
        Locale.ROOT,
        "  sum:                                                                         "
            + " %7.1f bytes/event, %6.1f beyond payload%n",
        logPer + indexPer,
        logPer + indexPer - payloadPer);
  }

  private Event event(long seq, String subject) {
    int type = (int) (seq % Workload.TYPES.length);
    Event e = Workload.event("e-" + seq, type, subject, Workload.json(subject, seq));
    if (!freshStrings) {
      return e;
    }
    // a JSON decoder hands over a new String (with its own byte array) for every value
    return new Event(
        copy(e.id()),
        copy(e.source()),
        copy(e.type()),
        copy(subject),
        null,
        copy(Workload.CONTENT_TYPE),
        null,
        Map.of(),
        new EventData.Json(((EventData.Json) Objects.requireNonNull(e.data())).utf8()));
  }

  private static String copy(String s) {
    return new String(s.toCharArray());
  }

  /**
   * Used heap after full collections: at least three, until three readings in a row agree within 64
   * KB (a single full GC sometimes leaves garbage that the next one frees).
   */
  private static long usedAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    long[] readings = new long[12];
    for (int i = 0; i < readings.length; i++) {
      System.gc();
      Thread.sleep(150);
      readings[i] = memory.getHeapMemoryUsage().getUsed();
      if (i >= 2
          && Math.abs(readings[i] - readings[i - 1]) < 64 * 1024
          && Math.abs(readings[i - 1] - readings[i - 2]) < 64 * 1024) {
        return readings[i];
      }
    }
    return readings[readings.length - 1];
  }

  private static String gcNames() {
    var names = new ArrayList<String>();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      names.add(gc.getName());
    }
    return String.join(" + ", names);
  }

  private static String vmOption(String name) {
    try {
      return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .getVMOption(name)
          .getValue();
    } catch (RuntimeException e) {
      return "?";
    }
  }
}
