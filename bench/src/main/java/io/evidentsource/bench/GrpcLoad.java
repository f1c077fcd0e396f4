package io.evidentsource.bench;

import io.cloudevents.v1.proto.CloudEvent;
import io.cloudevents.v1.proto.CloudEvent.CloudEventAttributeValue;
import io.evidentsource.api.v1.CreateDatabaseRequest;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.TransactRequest;
import io.evidentsource.api.v1.TransactResponse;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loopback load on a running server's gRPC {@code Transact} (docs/benchmarks.md, "gRPC"):
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.evidentsource.bench.GrpcLoad throughput PORT [seconds] [batch] [in-flight]
 * java -cp bench/target/benchmarks.jar io.evidentsource.bench.GrpcLoad latency PORT [seconds] [rate/s]
 * </pre>
 *
 * {@code throughput} keeps {@code in-flight} (default 32) unconditional transactions of {@code
 * batch} (default 25) events outstanding on one channel and reports events/s. {@code latency} sends
 * single-event transactions at a fixed rate (default 1000/s, open loop: each latency counts from
 * the moment the request was due, so a stalled server cannot hide its queueing) and reports
 * p50/p90/p99/max. Each run first warms up for 10 s. Events are the same shape as the JMH
 * benchmarks: 200 bytes of JSON data, subjects order-0..order-9999.
 */
public final class GrpcLoad {
  private static final String DATA = "{\"pad\":\"" + "x".repeat(190) + "\"}";
  private static final AtomicLong IDS = new AtomicLong();

  private GrpcLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || !(args[0].equals("throughput") || args[0].equals("latency"))) {
      System.err.println(
          "usage: GrpcLoad throughput PORT [seconds] [batch] [in-flight]\n"
              + "       GrpcLoad latency PORT [seconds] [rate/s]");
      System.exit(2);
    }
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    var channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    var stub = EvidentSourceGrpc.newStub(channel);
    String db = "grpc-" + mode + "-" + System.currentTimeMillis() / 1000;
    EvidentSourceGrpc.newBlockingStub(channel)
        .createDatabase(CreateDatabaseRequest.newBuilder().setName(db).build());
    if (mode.equals("throughput")) {
      int batch = args.length > 3 ? Integer.parseInt(args[3]) : 25;
      int inFlight = args.length > 4 ? Integer.parseInt(args[4]) : 32;
      throughput(stub, db, batch, inFlight, 10);
      long events = throughput(stub, db, batch, inFlight, seconds);
      System.out.printf(
          "grpc throughput: batch=%d in-flight=%d %ds: %d events, %.0f events/s, %.0f tx/s%n",
          batch,
          inFlight,
          seconds,
          events,
          events / (double) seconds,
          events / (double) batch / seconds);
    } else {
      int rate = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
      latency(stub, db, rate, 10);
      long[] micros = latency(stub, db, rate, seconds);
      Arrays.sort(micros);
      System.out.printf(
          "grpc latency: 1 event/tx at %d tx/s for %ds (%d tx): p50=%.2f ms p90=%.2f ms p99=%.2f ms"
              + " p99.9=%.2f ms max=%.2f ms%n",
          rate,
          seconds,
          micros.length,
          pct(micros, 50),
          pct(micros, 90),
          pct(micros, 99),
          pct(micros, 99.9),
          micros[micros.length - 1] / 1000.0);
    }
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static double pct(long[] sorted, double p) {
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1000.0;
  }

  static TransactRequest request(String db, int events) {
    var b = TransactRequest.newBuilder().setDatabase(db);
    for (int i = 0; i < events; i++) {
      long n = IDS.incrementAndGet();
      b.addEvents(
          CloudEvent.newBuilder()
              .setId("e-" + n)
              .setSource("https://shop.example.com/orders")
              .setSpecVersion("1.0")
              .setType("com.example.order.placed")
              .putAttributes("subject", string("order-" + (n % 10_000)))
              .putAttributes("datacontenttype", string("application/json"))
              .setTextData(DATA));
    }
    return b.setTransactionId(UUID.randomUUID().toString()).build();
  }

  private static CloudEventAttributeValue string(String s) {
    return CloudEventAttributeValue.newBuilder().setCeString(s).build();
  }

  private static long throughput(
      EvidentSourceGrpc.EvidentSourceStub stub, String db, int batch, int inFlight, int seconds)
      throws InterruptedException {
    var permits = new Semaphore(inFlight);
    var events = new AtomicLong();
    var failures = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      permits.acquire();
      stub.transact(
          request(db, batch),
          new StreamObserver<TransactResponse>() {
            @Override
            public void onNext(TransactResponse r) {
              events.addAndGet(r.getEventCount());
            }

            @Override
            public void onError(Throwable t) {
              failures.incrementAndGet();
              permits.release();
            }

            @Override
            public void onCompleted() {
              permits.release();
            }
          });
    }
    permits.acquire(inFlight);
    if (failures.get() > 0) {
      System.out.println("failed transactions: " + failures.get());
    }
    return events.get();
  }

  private static long[] latency(
      EvidentSourceGrpc.EvidentSourceStub stub, String db, int rate, int seconds)
      throws InterruptedException {
    int total = rate * seconds;
    long[] micros = new long[total];
    var done = new CountDownLatch(total);
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        if (wait > 200_000) {
          TimeUnit.NANOSECONDS.sleep(wait - 100_000);
        } else {
          Thread.onSpinWait();
        }
      }
      int index = i;
      stub.transact(
          request(db, 1),
          new StreamObserver<TransactResponse>() {
            @Override
            public void onNext(TransactResponse r) {}

            @Override
            public void onError(Throwable t) {
              micros[index] = Long.MAX_VALUE / 2;
              done.countDown();
            }

            @Override
            public void onCompleted() {
              micros[index] = (System.nanoTime() - due) / 1000;
              done.countDown();
            }
          });
    }
    done.await(60, TimeUnit.SECONDS);
    return micros;
  }
}
