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
 *
 * <p>Each thread draws {@value #IDS_PER_DRAW} ids' worth of bytes at a time: a {@code Hash_DRBG}
 * call costs a few SHA-256 compressions besides the output (the state update, the reseed check), so
 * drawing 16 bytes per id spent most of its time there
 * (docs/benchmarks.md#issue-17-the-rest-request-path). The bytes are the same generator's output,
 * handed out in order, each byte once.
 */
public final class RandomUuids {
  /** How many ids one draw from a thread's generator provides. */
  static final int IDS_PER_DRAW = 32;

  private static final ThreadLocal<Pool> POOL = ThreadLocal.withInitial(Pool::new);

  private RandomUuids() {}

  /** A new random version 4 UUID (122 random bits, IETF variant). */
  public static UUID next() {
    Pool pool = POOL.get();
    byte[] bytes = pool.bytes;
    int at = pool.next;
    if (at == bytes.length) {
      pool.random.nextBytes(bytes);
      at = 0;
    }
    pool.next = at + 16;
    long most = 0;
    long least = 0;
    for (int i = 0; i < 8; i++) {
      most = (most << 8) | (bytes[at + i] & 0xff);
      least = (least << 8) | (bytes[at + 8 + i] & 0xff);
    }
    most = (most & ~0xf000L) | 0x4000L; // version 4
    least = (least & 0x3fffffffffffffffL) | 0x8000000000000000L; // IETF variant
    return new UUID(most, least);
  }

  /** One thread's generator and the bytes of its last draw not handed out yet. */
  private static final class Pool {
    private final SecureRandom random = drbg();
    private final byte[] bytes = new byte[16 * IDS_PER_DRAW];
    private int next = bytes.length;
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no DRBG SecureRandom (JDK 9+ always does)", e);
    }
  }
}
