package io.evidentsource.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evidentsource.core.component.ComponentRegistry;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StorageTest {
  /** A port whose methods this test never calls: the bundle only holds it. */
  static <T> T unused(Class<T> port) {
    return port.cast(
        Proxy.newProxyInstance(
            port.getClassLoader(),
            new Class<?>[] {port},
            (proxy, method, args) -> {
              throw new UnsupportedOperationException(method.getName());
            }));
  }

  static Storage.Builder builder() {
    return Storage.builder(unused(StorageAdapter.class))
        .components(unused(ComponentRegistry.class));
  }

  @Test
  void says_what_it_can_do() {
    ChangeNotifications pushed = unused(ChangeNotifications.class);
    var push = builder().pushNotifications(pushed).sharedAcrossInstances(false).build();
    assertThat(push.notifications()).isSameAs(pushed);
    assertThat(push.capabilities())
        .isEqualTo(new StorageCapabilities(StorageCapabilities.Notifications.PUSH, false));

    var polled =
        builder().pollingNotifications(Duration.ofMillis(50)).sharedAcrossInstances(true).build();
    assertThat(polled.capabilities())
        .isEqualTo(new StorageCapabilities(StorageCapabilities.Notifications.POLLING, true));
  }

  @Test
  void refuses_to_build_without_notifications_or_components_naming_the_missing_part() {
    assertThatThrownBy(() -> builder().build()).hasMessageContaining("notifications");
    assertThatThrownBy(
            () ->
                Storage.builder(unused(StorageAdapter.class))
                    .pollingNotifications(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("component registry");
    assertThatThrownBy(() -> builder().pollingNotifications(Duration.ZERO))
        .hasMessageContaining("poll interval must be positive");
  }

  @Test
  void closes_its_resources_once_in_reverse_order_even_when_one_fails() {
    List<String> closed = new ArrayList<>();
    var storage =
        builder()
            .pollingNotifications(Duration.ofSeconds(1))
            .onClose(() -> closed.add("client"))
            .onClose(
                () -> {
                  closed.add("relay");
                  throw new IllegalStateException("relay stuck");
                })
            .onClose(() -> closed.add("publisher"))
            .build();

    assertThatThrownBy(storage::close)
        .isInstanceOf(Storage.StorageCloseException.class)
        .hasMessageContaining("relay stuck");
    assertThat(closed).containsExactly("publisher", "relay", "client");

    storage.close();
    assertThat(closed).hasSize(3);
  }
}
