package io.evidentsource.server;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Base of the HTTP tests: the running server and a client for it. */
@ServerTest
public abstract class ServerTestBase {
  @LocalServerPort protected int port;
  protected Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }
}
