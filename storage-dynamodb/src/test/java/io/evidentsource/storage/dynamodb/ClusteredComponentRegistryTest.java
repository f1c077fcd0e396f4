package io.evidentsource.storage.dynamodb;

import static io.evidentsource.core.component.ComponentKind.STATE_VIEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.selector.EventSelector;
import io.evidentsource.storage.tck.TckFixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Two registry instances over the same tables and bucket, as two server instances behind a load
 * balancer (ADR 0007), plus the startup checks of the table and the bucket.
 */
class ClusteredComponentRegistryTest {
  private static final Instant T0 = Instant.parse("2026-03-04T05:06:07Z");

  private static StateViewDefinition view(String name) {
    return new StateViewDefinition(
        name, null, "application/json", null, EventSelector.any(), QueryTemporality.REVISION);
  }

  private static byte[] module(int seed, int size) {
    var bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (seed * 131 + i * 7);
    }
    return bytes;
  }

  @Nested
  class TwoInstances {
    private final DynamoDbTables tables = DynamoDbFixture.freshTables();
    private final String bucket = DynamoDbFixture.freshBucket();
    private final DynamoDbComponentRegistry a =
        DynamoDbFixture.componentRegistry(tables, bucket, true);
    private final DynamoDbComponentRegistry b =
        DynamoDbFixture.componentRegistry(tables, bucket, false);
    private final DatabaseName db = TckFixtures.uniqueDatabase("cluster");

    @Test
    void concurrent_publishes_of_one_name_from_both_instances_get_dense_unique_versions()
        throws Exception {
      int threadsPerInstance = 3;
      int each = 4;
      var start = new CountDownLatch(1);
      var pool = Executors.newFixedThreadPool(2 * threadsPerInstance);
      try {
        var futures = new ArrayList<Future<List<Integer>>>();
        for (int t = 0; t < 2 * threadsPerInstance; t++) {
          var registry = t % 2 == 0 ? a : b;
          int seed = t;
          Callable<List<Integer>> task =
              () -> {
                start.await();
                var mine = new ArrayList<Integer>();
                for (int i = 0; i < each; i++) {
                  mine.add(
                      registry
                          .add(db, 1, STATE_VIEW, view("shared"), module(seed * 10 + i, 100), T0)
                          .id()
                          .version());
                }
                return mine;
              };
          futures.add(pool.submit(task));
        }
        start.countDown();
        var versions = new ArrayList<Integer>();
        for (var f : futures) {
          versions.addAll(f.get());
        }
        int total = 2 * threadsPerInstance * each;
        assertThat(versions)
            .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, total).boxed().toList());
        // both instances see every version, each with the module its publisher sent
        assertThat(a.list(db, 1, STATE_VIEW)).hasSize(total).isEqualTo(b.list(db, 1, STATE_VIEW));
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    void a_component_published_on_one_instance_is_read_with_its_module_on_the_other() {
      var published = a.add(db, 1, STATE_VIEW, view("v"), module(1, 4096), T0);
      assertThat(b.find(db, 1, STATE_VIEW, "v", null)).contains(published);
      assertThat(b.module(published.id()))
          .hasValueSatisfying(m -> assertThat(m).isEqualTo(module(1, 4096)));
    }

    @Test
    void round_trips_a_module_of_the_largest_allowed_size() {
      int sixteenMiB = 16 * 1024 * 1024;
      var big = module(5, sixteenMiB);
      var published = a.add(db, 1, STATE_VIEW, view("big"), big, T0);
      assertThat(published.moduleSize()).isEqualTo(sixteenMiB);
      assertThat(b.module(published.id())).hasValueSatisfying(m -> assertThat(m).isEqualTo(big));
    }

    @Test
    void refuses_a_module_whose_bytes_in_s3_no_longer_match_the_digest() {
      var published = a.add(db, 1, STATE_VIEW, view("tampered"), module(2, 64), T0);
      var s3 = DynamoDbFixture.s3();
      var key =
          s3
              .listObjectsV2(r -> r.bucket(bucket).prefix(tables.prefix() + "/modules/"))
              .contents()
              .stream()
              .map(o -> o.key())
              .filter(k -> k.endsWith(sha256(module(2, 64))))
              .findFirst()
              .orElseThrow();
      s3.putObject(
          r -> r.bucket(bucket).key(key),
          software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[] {1, 2, 3}));
      assertThatThrownBy(() -> b.module(published.id()))
          .isInstanceOfSatisfying(
              EvidentSourceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                assertThat(e.getMessage()).contains("does not match its SHA-256");
              });
    }

    @Test
    void an_id_of_another_generation_has_no_module() {
      var published = a.add(db, 1, STATE_VIEW, view("g"), module(3, 10), T0);
      assertThat(b.module(new ComponentId(db, 2, ComponentKind.STATE_VIEW, "g", 1))).isEmpty();
      assertThat(b.module(published.id())).isPresent();
    }
  }

  @Nested
  class Startup {
    @Test
    void refuses_a_missing_bucket_when_creating_is_off_naming_the_bucket() {
      var bucket = DynamoDbFixture.freshBucket();
      assertThatThrownBy(() -> ComponentBucket.ensure(DynamoDbFixture.s3(), bucket, false))
          .isInstanceOfSatisfying(
              DynamoDbSetupException.class,
              e -> {
                assertThat(e.problem()).isEqualTo(DynamoDbSetupException.Problem.BUCKET_MISSING);
                assertThat(e.fixedByCreating()).isTrue();
              })
          .hasMessageContaining("S3 bucket '" + bucket + "' is missing");
    }

    @Test
    void refuses_a_name_that_is_no_bucket_name() {
      assertThatThrownBy(() -> ComponentBucket.ensure(DynamoDbFixture.s3(), "Not_A_Bucket", true))
          .isInstanceOfSatisfying(
              DynamoDbSetupException.class,
              e -> assertThat(e.problem()).isEqualTo(DynamoDbSetupException.Problem.BUCKET_NAME))
          .hasMessageContaining("'Not_A_Bucket' is not an S3 bucket name");
    }

    @Test
    void creates_a_missing_bucket_and_accepts_it_afterwards() {
      var s3 = DynamoDbFixture.s3();
      var bucket = DynamoDbFixture.freshBucket();
      ComponentBucket.ensure(s3, bucket, true);
      ComponentBucket.ensure(s3, bucket, false);
      assertThat(s3.listBuckets().buckets()).anyMatch(x -> x.name().equals(bucket));
    }

    @Test
    void names_the_missing_components_table() {
      var tables = DynamoDbFixture.freshTables();
      assertThatThrownBy(() -> DynamoDbSchema.ensure(DynamoDbFixture.client(), tables, false))
          .isInstanceOf(DynamoDbSetupException.class)
          .hasMessageContaining("table '" + tables.components() + "' is missing");
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
