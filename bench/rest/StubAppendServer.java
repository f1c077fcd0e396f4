import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load driver's ceiling (docs/benchmarks.md, "The driver's ceiling"): an HTTP/1.1 server on
 * loopback that does no work. It reads each request (headers and a {@code Content-Length} body)
 * and answers {@code 201} with {@code {"revision":N}}, N counting up, which is all the peer
 * driver ({@code ../shared/bench/peers/driver/PeerBench.java --target evidentsource}) reads from
 * an answer. Whatever rate the driver reaches against it is the most the driver can send to any
 * REST server on the same CPUs.
 *
 * <p>Deliberately not the JDK's {@code com.sun.net.httpserver}: that server's own cost per request
 * (about 4,000 answers/s at one connection under {@code wrk} here, against about 33,000 for this
 * one) would lower the ceiling it is meant to measure. One platform thread per connection, blocking
 * I/O, {@code TCP_NODELAY}; chunked bodies are not supported (the driver sends a length).
 *
 * <p>Usage: {@code java bench/rest/StubAppendServer.java PORT} (Java 17 or later, single-file
 * source launch).
 */
public final class StubAppendServer {
  public static void main(String[] args) throws IOException {
    AtomicLong revision = new AtomicLong();
    try (ServerSocket server =
        new ServerSocket(Integer.parseInt(args[0]), 128, InetAddress.getLoopbackAddress())) {
      while (true) {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        Thread connection = new Thread(() -> serve(socket, revision), "stub-connection");
        connection.setDaemon(true);
        connection.start();
      }
    }
  }

  private static void serve(Socket socket, AtomicLong revision) {
    try (socket;
        InputStream in = new BufferedInputStream(socket.getInputStream(), 65_536);
        BufferedOutputStream out = new BufferedOutputStream(socket.getOutputStream(), 4_096)) {
      while (true) {
        int length = 0;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
          if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        in.readNBytes(length);
        byte[] body =
            ("{\"revision\":" + revision.incrementAndGet() + "}").getBytes(StandardCharsets.US_ASCII);
        out.write(
            ("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // The client closed the connection (EOFException) or sent what this stub does not read.
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException();
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
