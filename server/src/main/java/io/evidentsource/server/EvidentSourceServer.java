package io.evidentsource.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Starts the EvidentSource server (REST on port 8080, bound to loopback by default). */
@SpringBootApplication
public class EvidentSourceServer {

  /** Starts the server; Spring Boot command-line arguments apply. */
  public static void main(String[] args) {
    SpringApplication.run(EvidentSourceServer.class, args);
  }
}
