package io.evidentsource.bench;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.memory.InMemoryStorageAdapter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Throughput of {@link EventStore#transact} on the in-memory adapter.
 *
 * <p>Each invocation commits one transaction of {@code batchSize} events, all for one subject (an
 * entity, as a command handler would write), drawn at random from {@value
 * Workload#DEFAULT_SUBJECTS} subjects. With {@code condition=max} the transaction carries {@code
 * max(subject(s), L)} where L is the last revision this thread committed for subject s, so the
 * condition always holds but is evaluated on the index every time.
 *
 * <p>Two numbers come out of each run: the primary score {@code transact} is <b>transactions</b>
 * per second; the secondary score {@code transact:events} is <b>events</b> per second (= tx/s ×
 * batchSize), which is what the goals are stated in.
 *
 * <p>The database is fresh per trial (fork) and grows for the whole trial: at ~1M events/s a trial
 * of 40 s holds tens of millions of events, hence the large heap. Event ids are unique (a
 * per-thread counter); data payloads (200-byte JSON) are taken from a pool of 1,024 arrays so the
 * heap grows by index and event objects rather than by payload copies. Building the event objects
 * (one id string and one record per event) is inside the measured code.
 *
 * <p>With {@code -t N} the threads share one database and contend for its write lock; each thread
 * owns the subjects {@code i ≡ threadIndex (mod N)} so its condition revisions stay correct.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx12g", "-XX:+UseG1GC"})
public class AppendBenchmark {
  private static final int PAYLOADS = 1024;

  /** Events per transaction. */
  @Param({"1", "25"})
  public int batchSize;

  /** {@code none}: unconditional; {@code max}: one max(subject(s), L) condition that holds. */
  @Param({"none", "max"})
  public String condition;

  /** Number of distinct subjects. */
  @Param({"10000"})
  public int subjects;

  EventStore store;
  DatabaseName db;
  String[] subjectNames;
  byte[][] payloads;
  boolean conditional;

  @Setup(Level.Trial)
  public void setUp() {
    if (!condition.equals("none") && !condition.equals("max")) {
      throw new IllegalArgumentException("condition must be 'none' or 'max', was " + condition);
    }
    conditional = condition.equals("max");
    store = EventStore.create(new InMemoryStorageAdapter());
    db = DatabaseName.of("bench-append");
    store.createDatabase(db);
    subjectNames = Workload.subjects(subjects);
    payloads = new byte[PAYLOADS][];
    for (int i = 0; i < PAYLOADS; i++) {
      payloads[i] = Workload.json(subjectNames[i % subjects], i);
    }
  }

  @TearDown(Level.Trial)
  public void report() {
    long head = store.database(db).revision();
    System.out.println();
    System.out.println("# database holds " + head + " events at the end of the trial");
  }

  /** Per-thread writer: its subjects, the last revision it committed per subject, an id counter. */
  @State(Scope.Thread)
  public static class Writer {
    int[] own; // indexes into subjectNames this thread writes
    long[] lastRevision; // by index into own
    long seq;
    String idPrefix;
    long rng;

    @Setup(Level.Trial)
    public void setUp(AppendBenchmark b, ThreadParams threads) {
      int t = threads.getThreadIndex();
      int n = threads.getThreadCount();
      own = IntStream.range(0, b.subjects).filter(i -> i % n == t).toArray();
      if (own.length == 0) {
        throw new IllegalStateException("more threads than subjects");
      }
      lastRevision = new long[own.length];
      idPrefix = "t" + t + "-";
      rng = 0x9E3779B97F4A7C15L * (t + 1);
    }

    int nextSubject() {
      long x = rng; // xorshift64
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      rng = x;
      return (int) Long.remainderUnsigned(x, own.length);
    }
  }

  /** Counts events so JMH reports events/s next to transactions/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class EventCounter {
    /** Events committed; reported as {@code transact:events} in events per second. */
    public long events;

    @Setup(Level.Iteration)
    public void reset() {
      events = 0;
    }
  }

  @Benchmark
  public TransactionResult transact(Writer w, EventCounter counter) {
    int k = w.nextSubject();
    String subject = subjectNames[w.own[k]];
    int n = batchSize;
    var events = new Event[n];
    for (int i = 0; i < n; i++) {
      long seq = w.seq++;
      events[i] =
          Workload.event(
              w.idPrefix + seq,
              (int) (seq % Workload.TYPES.length),
              subject,
              payloads[(int) (seq & (PAYLOADS - 1))]);
    }
    List<AppendCondition> conditions =
        conditional
            ? List.of(AppendCondition.max(EventSelector.subject(subject), w.lastRevision[k]))
            : List.of();
    TransactionResult result =
        store.transact(db, Transaction.of(Arrays.asList(events), conditions));
    w.lastRevision[k] = result.revision();
    counter.events += n;
    return result;
  }
}
