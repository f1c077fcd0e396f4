package io.evidentsource.server.request;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Ends the process when the JVM runs out of heap (docs/operations.md#out-of-memory). After an
 * {@link OutOfMemoryError} a JVM may look alive and answer nothing (a dead connection thread, a
 * half-done commit), so the server exits at once with status {@value #EXIT_STATUS} and its
 * supervisor starts a fresh one: no shutdown hooks, nothing more is allocated than necessary.
 *
 * <p>Two paths lead here: {@link #install()}, called by the application's {@code main}, makes every
 * uncaught {@code OutOfMemoryError} on any thread halt the JVM; and the error handlers of both APIs
 * call {@link #haltIfOutOfMemory} before answering an unexpected failure, because Spring MVC and
 * gRPC catch errors of request threads and would otherwise answer 500 and carry on. The JVM flag
 * {@code -XX:+ExitOnOutOfMemoryError} (set in the Docker image) does the same at the JVM level and
 * also covers errors that some library catches and swallows.
 *
 * <p>Only {@code main} arms it: tests that start the server inside a test JVM never halt that JVM.
 */
public final class FatalErrors {
  /** The exit status, the same as {@code -XX:+ExitOnOutOfMemoryError} uses. */
  public static final int EXIT_STATUS = 3;

  private static final AtomicBoolean ARMED = new AtomicBoolean();

  private static final byte[] MESSAGE =
      ("FATAL: the JVM ran out of heap (OutOfMemoryError); exiting with status "
              + EXIT_STATUS
              + " so that a supervisor starts a fresh server"
              + System.lineSeparator())
          .getBytes(StandardCharsets.US_ASCII);

  private static final FileOutputStream STANDARD_ERROR = new FileOutputStream(FileDescriptor.err);

  private FatalErrors() {}

  /**
   * Arms the guard and makes it the default handler of uncaught exceptions: an {@code
   * OutOfMemoryError} halts the JVM; anything else goes to the handler that was installed before
   * (or the JVM's default: printed to standard error).
   */
  public static void install() {
    ARMED.set(true);
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, failure) -> {
          haltIfOutOfMemory(failure);
          if (previous != null) {
            previous.uncaughtException(thread, failure);
          } else {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            failure.printStackTrace(System.err);
          }
        });
  }

  /**
   * Halts the JVM when the guard is armed and {@code failure} is, or was caused by, an {@link
   * OutOfMemoryError}; otherwise returns.
   */
  public static void haltIfOutOfMemory(@Nullable Throwable failure) {
    if (!ARMED.get() || !causedByOutOfMemory(failure)) {
      return;
    }
    try {
      System.err.flush(); // what was printed before goes first
      // bytes and stream made in advance: writing them allocates nothing on a full heap
      STANDARD_ERROR.write(MESSAGE);
    } catch (Throwable ignored) {
      // the message is best effort; nothing may stop the halt
    }
    Runtime.getRuntime().halt(EXIT_STATUS);
  }

  /**
   * Whether {@code failure}, one of its causes (up to 32 deep) or an exception suppressed by one of
   * them is out of memory. Allocates nothing.
   */
  static boolean causedByOutOfMemory(@Nullable Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
      if (t instanceof OutOfMemoryError) {
        return true;
      }
      for (Throwable suppressed : t.getSuppressed()) {
        if (suppressed instanceof OutOfMemoryError) {
          return true;
        }
      }
    }
    return false;
  }
}
