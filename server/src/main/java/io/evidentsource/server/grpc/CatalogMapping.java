package io.evidentsource.server.grpc;

import static io.evidentsource.api.ProtoCloudEvents.timestamp;

import io.evidentsource.core.model.DatabaseInfo;

/** The database catalog in evidentsource.v1 messages. */
final class CatalogMapping {
  private CatalogMapping() {}

  static io.evidentsource.api.v1.Database database(DatabaseInfo info) {
    return io.evidentsource.api.v1.Database.newBuilder()
        .setName(info.name().value())
        .setCreatedAt(timestamp(info.createdAt()))
        .setRevision(info.revision())
        .setRevisionTime(timestamp(info.revisionTime()))
        .build();
  }
}
