package io.evidentsource.server.rest;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.http.converter.autoconfigure.ServerHttpMessageConvertersCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring's Jackson converter for JSON bodies, with a {@code Content-Length} on every answer of up
 * to {@value #MAX_BUFFERED_BYTES} bytes (a transaction result, a database, a page of events).
 *
 * <p>Spring MVC flushes the response after writing a body, and a flushed response whose length is
 * not known yet goes out with {@code Transfer-Encoding: chunked}: two socket writes (the chunk,
 * then the closing empty chunk when the request ends) where one would do. This converter collects
 * the body first; when it fits in {@value #MAX_BUFFERED_BYTES} bytes it sets its length and writes
 * it at once, else the body streams, chunked, as before (no answer is held in memory whole). What
 * is written, the media types, content negotiation and errors are Spring's
 * (docs/benchmarks.md#issue-17-the-rest-request-path).
 */
final class SizedJsonConverter extends JacksonJsonHttpMessageConverter {
  /** The largest body given a {@code Content-Length}; a larger one streams. */
  static final int MAX_BUFFERED_BYTES = 64 * 1024;

  SizedJsonConverter(JsonMapper mapper) {
    super(mapper);
  }

  @Override
  protected void writeInternal(
      Object object,
      ResolvableType resolvableType,
      HttpOutputMessage outputMessage,
      @Nullable Map<String, Object> hints)
      throws IOException {
    var sized = new SizedBody(outputMessage);
    super.writeInternal(object, resolvableType, sized, hints);
    sized.finish();
  }

  /**
   * Puts this converter, on Spring Boot's {@code JsonMapper}, where Spring Boot's Jackson converter
   * would be (its customizer runs first, at order 0).
   */
  @Configuration(proxyBeanMethods = false)
  static class Registration {
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    ServerHttpMessageConvertersCustomizer sizedJsonConverter(JsonMapper mapper) {
      return builder -> builder.withJsonConverter(new SizedJsonConverter(mapper));
    }
  }

  /**
   * The message as the converter sees it: its headers, and a body that collects up to {@value
   * #MAX_BUFFERED_BYTES} bytes before it touches the response.
   */
  private static final class SizedBody extends OutputStream implements HttpOutputMessage {
    private final HttpOutputMessage target;
    private byte[] buffer = new byte[512];
    private int count;
    private @Nullable OutputStream streaming;

    SizedBody(HttpOutputMessage target) {
      this.target = target;
    }

    @Override
    public HttpHeaders getHeaders() {
      return target.getHeaders();
    }

    @Override
    public OutputStream getBody() {
      return this;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      if (streaming != null) {
        streaming.write(bytes, offset, length);
        return;
      }
      if (count + length > MAX_BUFFERED_BYTES) {
        streaming = target.getBody();
        streaming.write(buffer, 0, count);
        streaming.write(bytes, offset, length);
        buffer = new byte[0];
        return;
      }
      if (count + length > buffer.length) {
        buffer =
            Arrays.copyOf(
                buffer, Math.min(MAX_BUFFERED_BYTES, Math.max(count + length, 2 * count)));
      }
      System.arraycopy(bytes, offset, buffer, count, length);
      count += length;
    }

    @Override
    public void flush() {
      // the converter flushes its generator; the response is flushed by Spring afterwards
    }

    @Override
    public void close() {
      // the response's stream is Spring's to close
    }

    /** Writes a collected body with its length; a streaming one is already written. */
    void finish() throws IOException {
      if (streaming == null) {
        target.getHeaders().setContentLength(count);
        target.getBody().write(buffer, 0, count);
      }
    }
  }
}
