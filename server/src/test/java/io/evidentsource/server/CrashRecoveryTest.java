package io.evidentsource.server;

import static io.evidentsource.server.ChildServer.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.server.ChildServer.Answer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Crash safety of the default {@code local} profile: a child server JVM under concurrent guarded
 * appends is killed with SIGKILL at a random moment, several times, and started again on the same
 * data directory. After each restart:
 *
 * <ul>
 *   <li>revisions are dense from 1 to the head;
 *   <li>every acknowledged transaction is present exactly once, at the revisions it was answered
 *       with;
 *   <li>no transaction is present in part (each event carries its transaction's id, its position
 *       and the transaction's size);
 *   <li>the conditions hold on replay: each writer guarded its append with {@code max(subject = its
 *       own subject, r)} where r (written into the event as {@code basis}) was the revision of its
 *       subject's previous event, and in the recovered log that is exactly the previous event of
 *       the subject;
 *   <li>a transaction whose answer the crash swallowed, retried with the same {@code
 *       transaction_id}, is answered as a duplicate when it was committed and committed once when
 *       it was not.
 * </ul>
 */
class CrashRecoveryTest {
  private static final int WRITERS = 8;
  private static final int CRASHES = 4;
  private static final String DB = "crash";

  @TempDir Path temp;

  /** A transaction a writer sent: the request body is kept to retry it byte for byte. */
  record Sent(UUID id, String body, int size) {}

  /** What the server answered for an acknowledged transaction. */
  record Acked(long first, long last) {}

  private final Map<UUID, Acked> acknowledged = new ConcurrentHashMap<>();
  private final Map<Integer, Sent> unanswered = new ConcurrentHashMap<>();
  private final Map<Integer, Long> lastOfSubject = new ConcurrentHashMap<>();
  private final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void every_acknowledged_transaction_survives_sigkill_once_whole_and_in_order() throws Exception {
    Path dataDir = temp.resolve("data");
    var random = new Random(16);
    int port = ChildServer.freePort();
    var server = start(dataDir, port, temp.resolve("server-0.log"));
    assertThat(post(port, "/api/v1/databases", "{\"name\":\"" + DB + "\"}").status())
        .isEqualTo(201);
    long committedBefore = 0;
    for (int crash = 1; crash <= CRASHES; crash++) {
      var stop = new AtomicBoolean();
      var writers = new ArrayList<Thread>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        var t =
            new Thread(
                () -> {
                  try {
                    write(port, writer, stop);
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                },
                "writer-" + w);
        t.start();
        writers.add(t);
      }
      Thread.sleep(800 + random.nextInt(2500)); // let the load run, then pull the plug
      server.kill();
      stop.set(true);
      for (var t : writers) {
        t.join(30_000);
      }
      assertThat(failures).as("writers' failures").isEmpty();

      server = start(dataDir, port, temp.resolve("server-" + crash + ".log"));
      long head = verify(port);
      assertThat(head)
          .as("the load made progress before crash %d", crash)
          .isGreaterThan(committedBefore);
      committedBefore = head;
      int retried = unanswered.size();
      int duplicates = retryUnanswered(port);
      System.out.printf(
          "crash %d: head %d after restart, %d transactions acknowledged so far; %d unanswered"
              + " at the kill, retried: %d were committed (duplicate), %d committed now%n",
          crash, head, acknowledged.size(), retried, duplicates, retried - duplicates);
      verify(port);
    }
    server.kill();
    assertThat(acknowledged).hasSizeGreaterThan(CRASHES * WRITERS);
  }

  /** Appends guarded transactions of 1-3 events until stopped or the connection fails. */
  private void write(int port, int writer, AtomicBoolean stop) {
    var random = new Random(writer);
    while (!stop.get()) {
      long basis = lastOfSubject.getOrDefault(writer, 0L);
      UUID id = UUID.randomUUID();
      int size = 1 + random.nextInt(3);
      var events = new ArrayList<String>();
      for (int seq = 0; seq < size; seq++) {
        events.add(
            Api.event(
                id + "-" + seq,
                "https://crash.example/w" + writer,
                "Appended",
                "s-" + writer,
                "\"txn\":\""
                    + id
                    + "\",\"seq\":\""
                    + seq
                    + "\",\"count\":\""
                    + size
                    + "\",\"basis\":\""
                    + basis
                    + "\""));
      }
      String body =
          "{\"transaction_id\":\""
              + id
              + "\",\"events\":["
              + String.join(",", events)
              + "],\"conditions\":[{\"type\":\"max\",\"revision\":"
              + basis
              + ",\"selector\":{\"type\":\"equals\",\"attr\":{\"subject\":\"s-"
              + writer
              + "\"}}}]}";
      var sent = new Sent(id, body, size);
      unanswered.put(writer, sent);
      var r = post(port, "/api/v1/databases/" + DB + "/transactions", body);
      if (r == null) {
        return; // the server died: the answer is unknown, the transaction stays unanswered
      }
      assertThat(r.status()).as("writer %d: %s", writer, r.body()).isEqualTo(201);
      record(writer, sent, r);
    }
  }

  private void record(int writer, Sent sent, Answer r) {
    JsonNode result = Api.JSON.readTree(r.body());
    long first = result.get("first_revision").longValue();
    long last = result.get("revision").longValue();
    assertThat(last - first + 1).isEqualTo(sent.size());
    var previous = acknowledged.put(sent.id(), new Acked(first, last));
    if (previous != null) {
      assertThat(previous)
          .as("a duplicate answers the original result")
          .isEqualTo(new Acked(first, last));
    }
    lastOfSubject.put(writer, last);
    unanswered.remove(writer, sent);
  }

  /** Each transaction the crash left unanswered, sent again: a duplicate or committed once. */
  private int retryUnanswered(int port) {
    int duplicates = 0;
    for (var entry : new HashMap<>(unanswered).entrySet()) {
      Sent sent = entry.getValue();
      var r = post(port, "/api/v1/databases/" + DB + "/transactions", sent.body());
      assertThat(r).isNotNull();
      assertThat(r.status()).as(r.body()).isIn(200, 201);
      boolean duplicate = Api.JSON.readTree(r.body()).get("duplicate").booleanValue();
      assertThat(duplicate).isEqualTo(r.status() == 200);
      if (duplicate) {
        duplicates++; // the crash came after the commit, before the answer
      }
      record(entry.getKey(), sent, r);
    }
    return duplicates;
  }

  /** Reads the whole log back and checks it; returns the head. */
  private long verify(int port) {
    var r = get(port, "/api/v1/databases/" + DB + "/events?limit=100000", "application/x-ndjson");
    assertThat(r.status()).isEqualTo(200);
    var log = new ArrayList<JsonNode>();
    for (String line : r.body().split("\n", -1)) {
      if (!line.isBlank()) {
        log.add(Api.JSON.readTree(line));
      }
    }
    var info = Api.JSON.readTree(get(port, "/api/v1/databases/" + DB, null).body());
    long head = info.get("revision").longValue();
    assertThat(log).hasSize((int) head);
    var ids = new HashSet<String>();
    var lastRevisionOfSubject = new HashMap<String, Long>();
    var seenTransactions = new HashSet<String>();
    for (int i = 0; i < log.size(); i++) {
      JsonNode e = log.get(i);
      long revision = e.get("revision").longValue();
      assertThat(revision).as("dense revisions").isEqualTo(i + 1L);
      assertThat(ids.add(e.get("id").stringValue())).as("event %s once", e.get("id")).isTrue();
      int seq = Integer.parseInt(e.get("seq").stringValue());
      int count = Integer.parseInt(e.get("count").stringValue());
      String txn = e.get("txn").stringValue();
      if (seq == 0) {
        assertThat(seenTransactions.add(txn)).as("transaction %s once", txn).isTrue();
        assertThat(i + count).as("transaction %s whole", txn).isLessThanOrEqualTo(log.size());
        String subject = e.get("subject").stringValue();
        long basis = Long.parseLong(e.get("basis").stringValue());
        assertThat(basis)
            .as(
                "the condition max(subject=%s, %d) holds on replay at revision %d",
                subject, basis, revision)
            .isEqualTo(lastRevisionOfSubject.getOrDefault(subject, 0L));
        var acked = acknowledged.get(UUID.fromString(txn));
        if (acked != null) {
          assertThat(acked).isEqualTo(new Acked(revision, revision + count - 1));
        }
      } else {
        JsonNode previous = log.get(i - 1);
        assertThat(previous.get("txn").stringValue())
            .as("transaction %s contiguous", txn)
            .isEqualTo(txn);
        assertThat(Integer.parseInt(previous.get("seq").stringValue())).isEqualTo(seq - 1);
      }
      lastRevisionOfSubject.put(e.get("subject").stringValue(), revision);
    }
    for (var entry : acknowledged.entrySet()) {
      assertThat(seenTransactions)
          .as("acknowledged transaction %s is in the log", entry.getKey())
          .contains(entry.getKey().toString());
    }
    // writers continue from the recovered log
    for (int w = 0; w < WRITERS; w++) {
      lastOfSubject.put(w, lastRevisionOfSubject.getOrDefault("s-" + w, 0L));
    }
    return head;
  }

  /** GETs and asserts an answer came. */
  private static Answer get(int port, String path, @Nullable String accept) {
    var answer = ChildServer.get(port, path, accept);
    assertThat(answer).as("GET %s", path).isNotNull();
    return answer;
  }

  private static ChildServer start(Path dataDir, int port, Path log) throws Exception {
    return ChildServer.start(
        port, log, "384m", List.of("--evidentsource.local.data-dir=" + dataDir));
  }
}
