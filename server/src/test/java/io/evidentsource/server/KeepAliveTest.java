package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

/**
 * A keep-alive connection serves {@code server.tomcat.max-keep-alive-requests} requests, 10,000 by
 * default (application.properties; docs/limits.md#connections), not Tomcat's 100.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.profiles.active=memory")
class KeepAliveTest {
  /** Tomcat's own default: the request that closes the connection when the setting is missing. */
  private static final int TOMCAT_DEFAULT = 100;

  @LocalServerPort int port;
  @Autowired Environment environment;

  @Test
  void the_effective_max_keep_alive_requests_is_10000() {
    assertThat(environment.getProperty("server.tomcat.max-keep-alive-requests", Integer.class))
        .isEqualTo(10_000);
  }

  @Test
  void one_connection_serves_more_requests_than_tomcats_default_without_being_closed()
      throws IOException {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      byte[] request =
          "GET /actuator/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII);
      for (int i = 1; i <= 2 * TOMCAT_DEFAULT + 1; i++) {
        out.write(request);
        out.flush();
        Response response = Response.read(in);
        assertThat(response.status).as("request %d", i).isEqualTo(200);
        assertThat(response.headers.getOrDefault("connection", ""))
            .as("request %d on one connection", i)
            .doesNotContainIgnoringCase("close");
      }
      assertThat(socket.isClosed()).isFalse();
    }
  }

  /** One HTTP/1.1 response: its status, headers (lower-case names) and body read to its end. */
  private record Response(int status, Map<String, String> headers) {
    static Response read(InputStream in) throws IOException {
      String statusLine = line(in);
      int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
      var headers = new LinkedHashMap<String, String>();
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      if (headers.containsKey("content-length")) {
        skip(in, Integer.parseInt(headers.get("content-length")));
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
          skip(in, size);
          line(in); // the CRLF after the chunk
        }
        String trailer;
        do {
          trailer = line(in); // trailers, if any, up to the empty line
        } while (!trailer.isEmpty());
      }
      return new Response(status, headers);
    }

    private static int chunkSize(InputStream in) throws IOException {
      String size = line(in);
      int extension = size.indexOf(';');
      return Integer.parseInt(extension < 0 ? size : size.substring(0, extension), 16);
    }

    private static void skip(InputStream in, int n) throws IOException {
      byte[] bytes = in.readNBytes(n);
      if (bytes.length != n) {
        throw new IOException("the connection ended inside a body");
      }
    }

    private static String line(InputStream in) throws IOException {
      var bytes = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("the server closed the connection");
        }
        if (b != '\r') {
          bytes.write(b);
        }
      }
      return bytes.toString(StandardCharsets.US_ASCII);
    }
  }
}
