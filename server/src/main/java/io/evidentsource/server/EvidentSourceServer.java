package io.evidentsource.server;

import io.evidentsource.server.config.RestoreCommand;
import io.evidentsource.server.request.FatalErrors;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Starts the EvidentSource server (REST on port 8080, bound to loopback by default). */
@SpringBootApplication
public class EvidentSourceServer {

  /**
   * Starts the server; Spring Boot command-line arguments apply. {@code restore <backup-dir>
   * <data-dir>} instead restores a backup of the {@code local} profile and exits ({@link
   * RestoreCommand}). The server exits with status 3 when the JVM runs out of heap ({@link
   * FatalErrors}).
   */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals(RestoreCommand.NAME)) {
      System.exit(
          RestoreCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
    }
    FatalErrors.install();
    SpringApplication.run(EvidentSourceServer.class, args);
  }
}
