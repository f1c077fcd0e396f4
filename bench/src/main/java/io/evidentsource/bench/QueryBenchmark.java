package io.evidentsource.bench;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.query.EventQuery;
import io.evidentsource.core.query.QueryPage;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.memory.InMemoryStorageAdapter;
import java.util.ArrayList;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of {@link EventStore#query} (one page of 100 events) on a database of {@code events}
 * events, loaded once per trial through {@link EventStore#transact} in 10-event transactions.
 *
 * <p>The data: {@code subjects} subjects {@code order-0} .. {@code order-(subjects-1)}; with the
 * defaults (1,000,000 events, 10,000 subjects) every subject has exactly 100 events, written in 10
 * rounds that each visit all subjects in a new random order, so one subject's events are scattered
 * over the whole log. Six types on three streams.
 *
 * <ul>
 *   <li>{@code subjectPage}: the first page (limit 100) of {@code subject = order-N}, N random per
 *       call; with the defaults the page holds all 100 events of that subject.
 *   <li>{@code prefixPage}: the first page (limit 100) of {@code subject LIKE 'order-12%'}, which
 *       matches 111 subjects (order-12, order-120..129, order-1200..1299) and 11,100 events with
 *       the defaults, and of {@code 'order-1%'} (1,111 subjects, 111,100 events); the index merges
 *       the postings of all matching subjects for each query, so the cost grows with the number of
 *       matching events, not with the page size.
 * </ul>
 *
 * <p>Mode is SampleTime in microseconds, so JMH prints p0.50, p0.99, p0.999 of single calls.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx4g", "-XX:+UseG1GC"})
public class QueryBenchmark {
  private static final int BATCH = 10;
  private static final int RANDOM_SUBJECTS = 1 << 16;

  /** Events in the database. */
  @Param({"1000000"})
  public int events;

  /** Distinct subjects. */
  @Param({"10000"})
  public int subjects;

  EventStore store;
  DatabaseName db;
  String[] subjectNames;
  EventQuery[] subjectQueries;
  int[] randomSubjects;
  int[] perSubject;

  @Setup(Level.Trial)
  public void load() {
    store = EventStore.create(new InMemoryStorageAdapter());
    db = DatabaseName.of("bench-query");
    store.createDatabase(db);
    subjectNames = Workload.subjects(subjects);
    var rnd = new Random(42);
    perSubject = new int[subjects];
    int[] order = new int[subjects];
    for (int i = 0; i < subjects; i++) {
      order[i] = i;
    }
    long loaded = 0;
    long seq = 0;
    long started = System.nanoTime();
    while (loaded < events) {
      shuffle(order, rnd);
      for (int s : order) {
        if (loaded >= events) {
          break;
        }
        int n = (int) Math.min(BATCH, events - loaded);
        var batch = new ArrayList<Event>(n);
        for (int i = 0; i < n; i++) {
          int k = perSubject[s]++;
          int type = k == 0 ? 0 : 1 + (k % (Workload.TYPES.length - 1));
          batch.add(
              Workload.event(
                  "e-" + seq, type, subjectNames[s], Workload.json(subjectNames[s], seq)));
          seq++;
        }
        store.transact(db, Transaction.of(batch));
        loaded += n;
      }
    }
    long loadMillis = (System.nanoTime() - started) / 1_000_000;

    subjectQueries = new EventQuery[subjects];
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int i = 0; i < subjects; i++) {
      subjectQueries[i] = EventQuery.of(EventSelector.subject(subjectNames[i])).withLimit(100);
      min = Math.min(min, perSubject[i]);
      max = Math.max(max, perSubject[i]);
    }
    randomSubjects = new int[RANDOM_SUBJECTS];
    for (int i = 0; i < RANDOM_SUBJECTS; i++) {
      randomSubjects[i] = rnd.nextInt(subjects);
    }

    // sanity checks, and what the pages hold
    QueryPage first = store.query(db, subjectQueries[0]);
    check(first.events().size() == Math.min(100, perSubject[0]), "subject page size");
    check(
        first.events().stream().allMatch(e -> subjectNames[0].equals(e.event().subject())),
        "subject page content");
    System.out.println();
    System.out.printf(
        "# loaded %,d events (%d-event transactions) in %,d ms; %,d subjects with %d..%d events"
            + " each; a subject page returns %d events%n",
        store.database(db).revision(),
        BATCH,
        loadMillis,
        subjects,
        min,
        max,
        first.events().size());
  }

  /** The prefix query of {@code prefixPage}, one trial per prefix. */
  @State(Scope.Benchmark)
  public static class Prefix {
    /**
     * {@code order-12} (the goal's case: 111 subjects) and {@code order-1} (1,111 subjects), to
     * show how the cost grows with the number of events under the prefix.
     */
    @Param({"order-12", "order-1"})
    public String prefix;

    EventQuery query;

    @Setup(Level.Trial)
    public void setUp(QueryBenchmark b) {
      query = EventQuery.of(EventSelector.startsWith(Attribute.SUBJECT, prefix)).withLimit(100);
      long matchingSubjects = 0;
      long matchingEvents = 0;
      for (int i = 0; i < b.subjects; i++) {
        if (b.subjectNames[i].startsWith(prefix)) {
          matchingSubjects++;
          matchingEvents += b.perSubject[i];
        }
      }
      QueryPage p = b.store.query(b.db, query);
      check(p.events().size() == Math.min(100, matchingEvents), "prefix page size");
      check(
          p.events().stream()
              .allMatch(e -> e.event().subject() != null && e.event().subject().startsWith(prefix)),
          "prefix page content");
      System.out.printf(
          "# prefix '%s' matches %,d subjects / %,d events; a prefix page returns %d events%n",
          prefix, matchingSubjects, matchingEvents, p.events().size());
    }
  }

  /** Per-thread position in the random subject sequence. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Benchmark
  public QueryPage subjectPage(Cursor c) {
    int s = randomSubjects[c.next++ & (RANDOM_SUBJECTS - 1)];
    return store.query(db, subjectQueries[s]);
  }

  @Benchmark
  public QueryPage prefixPage(Prefix p) {
    return store.query(db, p.query);
  }

  private static void shuffle(int[] a, Random rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("benchmark data check failed: " + what);
    }
  }
}
