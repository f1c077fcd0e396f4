package io.evidentsource.server;

import static io.evidentsource.server.grpc.GrpcApiTest.errorInfo;
import static io.evidentsource.server.grpc.GrpcApiTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.cloudevents.v1.proto.CloudEvent;
import io.cloudevents.v1.proto.CloudEvent.CloudEventAttributeValue;
import io.evidentsource.api.v1.Attribute;
import io.evidentsource.api.v1.CreateDatabaseRequest;
import io.evidentsource.api.v1.DescribeStateChangeRequest;
import io.evidentsource.api.v1.DescribeStateViewRequest;
import io.evidentsource.api.v1.EventSelector;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.api.v1.ExecuteCommandRequest;
import io.evidentsource.api.v1.GetDatabaseRequest;
import io.evidentsource.api.v1.ListStateChangesRequest;
import io.evidentsource.api.v1.ListStateViewsRequest;
import io.evidentsource.api.v1.PublishStateChangeRequest;
import io.evidentsource.api.v1.PublishStateViewRequest;
import io.evidentsource.api.v1.QueryTemporality;
import io.evidentsource.api.v1.ReadStateViewRequest;
import io.evidentsource.api.v1.TransactRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * State views and state changes over gRPC, with the guests of {@link ComponentApiTest} ({@code
 * guests/wat}, compiled at test time by wabt): the gRPC twins of the REST component endpoints.
 */
@ServerTest
class GrpcComponentTest {
  @Autowired GrpcPort grpcPort;

  ManagedChannel channel;
  EvidentSourceGrpc.EvidentSourceBlockingStub stub;
  String db;

  @BeforeEach
  void connect() {
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
    stub = EvidentSourceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    db = "gc-" + UUID.randomUUID().toString().substring(0, 12).replace("-", "");
    stub.createDatabase(CreateDatabaseRequest.newBuilder().setName(db).build());
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  static CloudEvent event(String id, String subject) {
    return CloudEvent.newBuilder()
        .setId(id)
        .setSource("s")
        .setSpecVersion("1.0")
        .setType("t")
        .putAttributes(
            "subject", CloudEventAttributeValue.newBuilder().setCeString(subject).build())
        .build();
  }

  static String attribute(CloudEvent event, String name) {
    var value = event.getAttributesOrThrow(name);
    return switch (value.getAttrCase()) {
      case CE_INTEGER -> Integer.toString(value.getCeInteger());
      case CE_STRING -> value.getCeString();
      default -> value.toString();
    };
  }

  PublishStateViewRequest.Builder counter(String name) {
    return PublishStateViewRequest.newBuilder()
        .setDatabase(db)
        .setStateViewName(name)
        .setContentType("application/json")
        .setWasm(ByteString.copyFrom(ComponentApiTest.COUNTER));
  }

  void publishEcho() {
    var published =
        stub.publishStateChange(
                PublishStateChangeRequest.newBuilder()
                    .setDatabase(db)
                    .setStateChangeName("echo")
                    .setDescription("decides what it is told")
                    .setWasm(ByteString.copyFrom(ComponentApiTest.ECHO))
                    .build())
            .getStateChange();
    assertThat(published.getName()).isEqualTo("echo");
    assertThat(published.getVersion()).isEqualTo(1);
    assertThat(published.getModuleSize()).isEqualTo(ComponentApiTest.ECHO.length);
  }

  ExecuteCommandRequest.Builder command(String decision) {
    return ExecuteCommandRequest.newBuilder()
        .setDatabase(db)
        .setName("echo")
        .setContentType("application/json")
        .setBody(ByteString.copyFromUtf8(decision));
  }

  @Test
  void a_view_is_published_listed_and_read_with_parameters_and_at_a_revision() {
    var published =
        stub.publishStateView(
                counter("per-subject")
                    .setDescription("events per subject")
                    .setEventSelector(
                        EventSelector.newBuilder()
                            .setEquals(
                                EventSelector.Equals.newBuilder()
                                    .setAttribute(Attribute.ATTRIBUTE_SUBJECT)
                                    .setValue("acct/{id}")))
                    .build())
            .getStateView();
    assertThat(published.getName()).isEqualTo("per-subject");
    assertThat(published.getVersion()).isEqualTo(1);
    assertThat(published.getDescription()).isEqualTo("events per subject");
    assertThat(published.getQueryTemporality())
        .isEqualTo(QueryTemporality.QUERY_TEMPORALITY_REVISION);
    assertThat(published.getEventSelector().getEquals().getValue()).isEqualTo("acct/{id}");
    assertThat(published.hasCreatedAt()).isTrue();
    var second =
        stub.publishStateView(counter("per-subject").setEventSelectorText("stream = 's'").build());
    assertThat(second.getStateView().getVersion()).isEqualTo(2);
    assertThat(
            stub.listStateViews(ListStateViewsRequest.newBuilder().setDatabase(db).build())
                .getStateViewsList())
        .extracting(v -> v.getName() + "@" + v.getVersion())
        .containsExactly("per-subject@1", "per-subject@2");

    stub.transact(
        TransactRequest.newBuilder()
            .setDatabase(db)
            .addEvents(event("1", "acct/a"))
            .addEvents(event("2", "acct/b"))
            .addEvents(event("3", "acct/a"))
            .build());
    var read =
        stub.readStateView(
            ReadStateViewRequest.newBuilder()
                .setDatabase(db)
                .setName("per-subject")
                .setVersion(1)
                .putParams("id", "a")
                .build());
    assertThat(read.getContent().toStringUtf8()).isEqualTo("2");
    assertThat(read.getName()).isEqualTo("per-subject");
    assertThat(read.getVersion()).isEqualTo(1);
    assertThat(read.getRevision()).isEqualTo(3);
    assertThat(read.getLastModifiedRevision()).isEqualTo(3);
    assertThat(read.hasLastModifiedTime()).isTrue();
    assertThat(read.getContentType()).isEqualTo("application/json");

    var atRevision =
        stub.readStateView(
            ReadStateViewRequest.newBuilder()
                .setDatabase(db)
                .setName("per-subject")
                .setVersion(1)
                .putParams("id", "a")
                .setRevision(1)
                .build());
    assertThat(atRevision.getContent().toStringUtf8()).isEqualTo("1");
    assertThat(atRevision.getRevision()).isEqualTo(1);

    var latest =
        stub.readStateView(
            ReadStateViewRequest.newBuilder().setDatabase(db).setName("per-subject").build());
    assertThat(latest.getVersion()).isEqualTo(2);
    assertThat(latest.getContent().toString(StandardCharsets.UTF_8)).isEqualTo("3");
  }

  @Test
  void a_command_appends_its_events_with_provenance() {
    publishEcho();
    assertThat(
            stub.listStateChanges(ListStateChangesRequest.newBuilder().setDatabase(db).build())
                .getStateChangesList())
        .extracting(c -> c.getName() + "@" + c.getVersion())
        .containsExactly("echo@1");
    var transactionId = UUID.randomUUID().toString();
    var result =
        stub.executeCommand(
            command(
                    "{\"events\":["
                        + Api.event("e1", "bank", "Deposited", "acct/a")
                        + "],\"conditions\":[{\"type\":\"max\",\"selector\":{\"type\":\"any\"},"
                        + "\"revision\":0}]}")
                .putHeaders("X-Trace", "t1")
                .setTransactionId(transactionId)
                .setCorrelationId("corr-1")
                .setCausationId("cause-1")
                .build());
    assertThat(result.getBasisRevision()).isZero();
    assertThat(result.getTransaction().getTransactionId()).isEqualTo(transactionId);
    assertThat(result.getTransaction().getRevision()).isEqualTo(1);
    assertThat(result.getTransaction().getEventCount()).isEqualTo(1);
    assertThat(result.getTransaction().getDuplicate()).isFalse();
    assertThat(result.getEventsList()).hasSize(1);
    var stored = result.getEvents(0);
    assertThat(stored.getRevision()).isEqualTo(1);
    var ce = stored.getEvent();
    assertThat(ce.getId()).isEqualTo("e1");
    assertThat(ce.getType()).isEqualTo("Deposited");
    assertThat(attribute(ce, "correlationid")).isEqualTo("corr-1");
    assertThat(attribute(ce, "causationid")).isEqualTo("cause-1");
    assertThat(attribute(ce, "statechange")).isEqualTo("echo");
    assertThat(attribute(ce, "statechangeversion")).isEqualTo("1");
    assertThat(attribute(ce, "basisrevision")).isEqualTo("0");
    assertThat(attribute(ce, "origin")).isEqualTo("grpc");

    var again =
        stub.executeCommand(
            command("{\"events\":[" + Api.event("e1", "bank", "Deposited", "acct/a") + "]}")
                .setVersion(1)
                .setTransactionId(transactionId)
                .build());
    assertThat(again.getTransaction().getDuplicate()).isTrue();
  }

  @Test
  void a_dry_run_returns_the_decision_with_checked_conditions_and_appends_nothing() {
    publishEcho();
    stub.transact(
        TransactRequest.newBuilder().setDatabase(db).addEvents(event("x", "acct/a")).build());
    var dry =
        stub.dryRunCommand(
            command(
                    "{\"events\":["
                        + Api.event("e1", "bank", "Deposited", "acct/b")
                        + "],\"conditions\":["
                        + "{\"type\":\"max\",\"selector\":{\"type\":\"equals\",\"attr\":{\"subject\":\"acct/a\"}},\"revision\":0},"
                        + "{\"type\":\"max\",\"selector\":{\"type\":\"equals\",\"attr\":{\"subject\":\"acct/b\"}},\"revision\":0}]}")
                .setCorrelationId("corr-dry")
                .build());
    assertThat(dry.getBasisRevision()).isEqualTo(1);
    assertThat(dry.getEventsList()).extracting(e -> e.getId()).containsExactly("e1");
    assertThat(attribute(dry.getEvents(0), "correlationid")).isEqualTo("corr-dry");
    assertThat(attribute(dry.getEvents(0), "origin")).isEqualTo("grpc");
    assertThat(dry.getConditionsList())
        .extracting(c -> c.getActualRevision(), c -> c.getHolds())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, false),
            org.assertj.core.groups.Tuple.tuple(0L, true));
    assertThat(dry.getConditions(0).getCondition().getMax().getSelector().getEquals().getValue())
        .isEqualTo("acct/a");
    assertThat(
            stub.getDatabase(GetDatabaseRequest.newBuilder().setName(db).build())
                .getDatabase()
                .getRevision())
        .as("a dry run appends nothing")
        .isEqualTo(1);
  }

  @Test
  void describe_state_view_lists_the_versions_of_one_name_ascending_with_size_and_sha256() {
    var second = ComponentApiTest.withCustomSection(ComponentApiTest.COUNTER, "v2");
    stub.publishStateView(counter("count").setEventSelectorText("ANY").build());
    var published =
        stub.publishStateView(
                counter("count")
                    .setEventSelectorText("ANY")
                    .setDescription("second")
                    .setWasm(ByteString.copyFrom(second))
                    .build())
            .getStateView();
    assertThat(published.getModuleSha256()).isEqualTo(ComponentApiTest.sha256(second));
    stub.publishStateView(counter("other").setEventSelectorText("ANY").build());

    var versions =
        stub.describeStateView(
                DescribeStateViewRequest.newBuilder().setDatabase(db).setName("count").build())
            .getVersionsList();
    assertThat(versions)
        .extracting(v -> v.getName() + "@" + v.getVersion())
        .containsExactly("count@1", "count@2");
    assertThat(versions.get(0).getModuleSize()).isEqualTo(ComponentApiTest.COUNTER.length);
    assertThat(versions.get(0).getModuleSha256())
        .isEqualTo(ComponentApiTest.sha256(ComponentApiTest.COUNTER));
    assertThat(versions.get(1)).isEqualTo(published);
  }

  @Test
  void describe_state_change_lists_the_versions_of_one_name_ascending_with_size_and_sha256() {
    publishEcho();
    var second = ComponentApiTest.withCustomSection(ComponentApiTest.ECHO, "v2");
    stub.publishStateChange(
        PublishStateChangeRequest.newBuilder()
            .setDatabase(db)
            .setStateChangeName("echo")
            .setWasm(ByteString.copyFrom(second))
            .build());
    var versions =
        stub.describeStateChange(
                DescribeStateChangeRequest.newBuilder().setDatabase(db).setName("echo").build())
            .getVersionsList();
    assertThat(versions).extracting(c -> c.getVersion()).containsExactly(1, 2);
    assertThat(versions.get(0).getDescription()).isEqualTo("decides what it is told");
    assertThat(versions.get(0).getModuleSha256())
        .isEqualTo(ComponentApiTest.sha256(ComponentApiTest.ECHO));
    assertThat(versions.get(1).getModuleSize()).isEqualTo(second.length);
    assertThat(versions.get(1).getModuleSha256()).isEqualTo(ComponentApiTest.sha256(second));
  }

  @Test
  void describing_an_unknown_name_is_not_found_with_the_rest_code()
      throws InvalidProtocolBufferException {
    var view =
        failure(
            () ->
                stub.describeStateView(
                    DescribeStateViewRequest.newBuilder().setDatabase(db).setName("nope").build()),
            Status.Code.NOT_FOUND,
            "state_view_not_found");
    assertThat(errorInfo(view).getMetadataMap()).containsEntry("state_view", "nope");
    failure(
        () ->
            stub.describeStateChange(
                DescribeStateChangeRequest.newBuilder().setDatabase(db).setName("nope").build()),
        Status.Code.NOT_FOUND,
        "state_change_not_found");
    failure(
        () ->
            stub.describeStateView(
                DescribeStateViewRequest.newBuilder()
                    .setDatabase("nope-db")
                    .setName("count")
                    .build()),
        Status.Code.NOT_FOUND,
        "database_not_found");
  }

  @Test
  void errors_carry_the_rest_codes() throws InvalidProtocolBufferException {
    publishEcho();
    var rejected =
        failure(
            () ->
                stub.executeCommand(
                    command(
                            "{\"rejection\":{\"code\":\"insufficient_funds\","
                                + "\"message\":\"only 5\"}}")
                        .build()),
            Status.Code.FAILED_PRECONDITION,
            "command_rejected");
    assertThat(errorInfo(rejected).getMetadataMap())
        .containsEntry("rejection_code", "insufficient_funds")
        .containsEntry("rejection_message", "only 5");

    failure(
        () ->
            stub.readStateView(
                ReadStateViewRequest.newBuilder().setDatabase(db).setName("nope").build()),
        Status.Code.NOT_FOUND,
        "state_view_not_found");
    failure(
        () -> stub.executeCommand(command("{}").setName("nope").build()),
        Status.Code.NOT_FOUND,
        "state_change_not_found");

    var invalid =
        failure(
            () ->
                stub.publishStateView(
                    counter("bad")
                        .setEventSelectorText("stream = 's'")
                        .setWasm(ByteString.copyFrom(ComponentApiTest.ECHO))
                        .build()),
            Status.Code.INVALID_ARGUMENT,
            "invalid_component");
    assertThat(invalid.getStatus().getDescription())
        .contains("missing export 'evidentsource_evolve'");
    failure(
        () -> stub.publishStateView(counter("no-selector").build()),
        Status.Code.INVALID_ARGUMENT,
        "malformed_request");
    var unknownTemporality =
        failure(
            () ->
                stub.publishStateView(
                    counter("odd-temporality")
                        .setEventSelectorText("stream = 's'")
                        .setQueryTemporalityValue(9)
                        .build()),
            Status.Code.INVALID_ARGUMENT,
            "malformed_request");
    assertThat(unknownTemporality.getStatus().getDescription())
        .contains("unknown query_temporality 9");
    failure(
        () -> stub.executeCommand(command("{not json").build()),
        Status.Code.INVALID_ARGUMENT,
        "malformed_json");
  }
}
