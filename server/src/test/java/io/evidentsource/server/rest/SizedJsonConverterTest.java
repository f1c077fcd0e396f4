package io.evidentsource.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.mock.http.MockHttpOutputMessage;
import tools.jackson.databind.json.JsonMapper;

class SizedJsonConverterTest {
  record Body(String text) {}

  private final JsonMapper mapper = JsonMapper.builder().build();
  private final SizedJsonConverter converter = new SizedJsonConverter(mapper);

  @Test
  void a_small_body_is_written_whole_with_its_content_length() throws Exception {
    var message = new MockHttpOutputMessage();

    converter.write(new Body("hello"), MediaType.APPLICATION_JSON, message);

    byte[] written = message.getBodyAsBytes();
    assertThat(message.getHeaders().getContentLength()).isEqualTo(written.length);
    assertThat(mapper.readValue(written, Body.class)).isEqualTo(new Body("hello"));
  }

  @Test
  void a_body_over_the_buffer_streams_whole_without_a_content_length() throws Exception {
    var message = new MockHttpOutputMessage();
    var big = new Body("x".repeat(SizedJsonConverter.MAX_BUFFERED_BYTES * 2));

    converter.write(big, MediaType.APPLICATION_JSON, message);

    assertThat(message.getHeaders().getContentLength()).isEqualTo(-1);
    assertThat(mapper.readValue(message.getBodyAsBytes(), Body.class)).isEqualTo(big);
  }
}
