package io.evidentsource.core.model;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Random (version 4, RFC 9562 §5.4) UUIDs for transaction and request ids, drawn from one {@link
 * SecureRandom} per thread.
 *
 * <p>{@link UUID#randomUUID()} draws from one JDK-wide {@code SecureRandom} whose reads of the
 * operating system's generator hold a single lock, so concurrent requests queue on it: profiled
 * under the REST append workload, request threads spent more time blocked there than on any other
 * lock but the database's own
 * (docs/benchmarks.md#a-quiet-machine-third-run-and-what-the-profile-shows). The ids here are as
 * unpredictable (each thread's generator is a {@code DRBG} SecureRandom, NIST SP 800-90A, seeded
 * from the operating system's entropy) and need no lock shared between threads. (A plain {@code new
 * SecureRandom()} would not do: on Linux it is {@code NativePRNG}, whose instances all share the
 * one locked reader.)
 */
public final class RandomUuids {
  private static final ThreadLocal<SecureRandom> RANDOM =
      ThreadLocal.withInitial(RandomUuids::drbg);

  private RandomUuids() {}

  /** A new random version 4 UUID (122 random bits, IETF variant). */
  public static UUID next() {
    byte[] bytes = new byte[16];
    RANDOM.get().nextBytes(bytes);
    bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40); // version 4
    bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80); // IETF variant
    long most = 0;
    long least = 0;
    for (int i = 0; i < 8; i++) {
      most = (most << 8) | (bytes[i] & 0xff);
      least = (least << 8) | (bytes[i + 8] & 0xff);
    }
    return new UUID(most, least);
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no DRBG SecureRandom (JDK 9+ always does)", e);
    }
  }
}
