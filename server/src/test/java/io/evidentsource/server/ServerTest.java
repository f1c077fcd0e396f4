package io.evidentsource.server;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * A test against the real server on a random loopback port. All such tests share one application
 * context (and so one in-memory store): each test works in databases of its own. The request limits
 * are lowered so that the limit tests send small bodies, and the component limits so that a looping
 * guest is stopped soon (its warm-up at publish loops too, for at most the warm-up timeout).
 */
@Target(ElementType.TYPE)
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "evidentsource.max-request-bytes=" + ServerTest.MAX_REQUEST_BYTES,
      "evidentsource.max-bulk-bytes=" + ServerTest.MAX_BULK_BYTES,
      "spring.grpc.server.port=0",
      "evidentsource.wasm.call-timeout=1s",
      "evidentsource.wasm.warm-up-timeout=3s",
      // the tests of this context create hundreds of databases; MetricsTest reads its own
      // database's tag (the cap itself: DatabaseTagsTest)
      "evidentsource.observability.max-tagged-databases=100000",
    })
@Import(GrpcPort.class)
public @interface ServerTest {
  /** The request body limit in tests (256 KiB). */
  int MAX_REQUEST_BYTES = 256 * 1024;

  /** The bulk body limit in tests (4 MiB: the GitHub sample is 3.3 MB). */
  int MAX_BULK_BYTES = 4 * 1024 * 1024;
}
