'use strict';
// The EvidentSource gRPC API from Node.js: @grpc/grpc-js with the .proto files this repository
// ships, loaded at run time by @grpc/proto-loader (no code generation). See README.md.
//
//   const es = require('./evidentsource');
//   const client = es.connect('localhost:9090');
//   const { database } = await es.unary(client, 'CreateDatabase', { name: 'orders' });
//
// Messages use the .proto field names (snake_case); 64-bit numbers (revisions) are strings;
// enums are their names; a set oneof also names itself (e.g. `item: 'event'`).

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const REPOSITORY = path.resolve(__dirname, '..', '..');

/**
 * Where the .proto files are: the API itself, then what it imports that protoc and the protobuf
 * runtimes do not bundle (the CloudEvents format's spec.proto, google/rpc status and error details).
 * The google/protobuf well-known types come with every protobuf runtime.
 */
const INCLUDE_DIRS = [
  path.join(REPOSITORY, 'api', 'src', 'main', 'proto'),
  path.join(REPOSITORY, 'api', 'proto-deps'),
];

const API_PROTO = 'evidentsource/v1/evidentsource.proto';

const OBJECT_OPTIONS = { longs: String, enums: String, defaults: true, oneofs: true };

const packageDefinition = protoLoader.loadSync(API_PROTO, {
  keepCase: true,
  includeDirs: INCLUDE_DIRS,
  ...OBJECT_OPTIONS,
});
const api = grpc.loadPackageDefinition(packageDefinition).evidentsource.v1;

// protobufjs types for what arrives outside the service's own messages: the google.rpc.Status in
// the `grpc-status-details-bin` trailer and the details packed in it.
const types = new protobuf.Root();
types.resolvePath = (origin, target) => {
  for (const dir of INCLUDE_DIRS) {
    const candidate = path.join(dir, target);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
  }
  // google/protobuf/*.proto: protobufjs' bundled copies
  return protobuf.util.path.resolve(origin, target);
};
types.loadSync([API_PROTO, 'google/rpc/status.proto', 'google/rpc/error_details.proto'], {
  keepCase: true,
});
const Status = types.lookupType('google.rpc.Status');

/**
 * A client of `evidentsource.v1.EvidentSource` at `address` (`host:port`). Plaintext unless
 * `credentials` (a grpc.ChannelCredentials, e.g. grpc.credentials.createSsl()) are given.
 */
function connect(address, { credentials } = {}) {
  return new api.EvidentSource(address, credentials ?? grpc.credentials.createInsecure());
}

/**
 * Call metadata carrying an API key as `authorization: Bearer <key>` (none when `apiKey` is
 * empty). Passed with every call, since grpc-js refuses call credentials on plaintext channels.
 */
function metadata(apiKey) {
  const md = new grpc.Metadata();
  if (apiKey) {
    md.set('authorization', `Bearer ${apiKey}`);
  }
  return md;
}

/** Calls a unary RPC (`method` as in the .proto, e.g. 'Transact') and resolves to its response. */
function unary(client, method, request, { apiKey, deadlineSeconds = 30 } = {}) {
  const rpc = method.charAt(0).toLowerCase() + method.slice(1);
  const deadline = new Date(Date.now() + deadlineSeconds * 1000);
  return new Promise((resolve, reject) => {
    client[rpc](request, metadata(apiKey), { deadline }, (err, response) =>
      err ? reject(err) : resolve(response),
    );
  });
}

/**
 * The error details of a failed call, decoded from the `grpc-status-details-bin` trailer (a
 * google.rpc.Status): `[{ type: 'google.rpc.ErrorInfo', value: {...} },
 * { type: 'evidentsource.v1.FailedConditions', value: {...} }]`. Empty when there are none.
 */
function errorDetails(err) {
  const raw = err?.metadata?.get('grpc-status-details-bin') ?? [];
  if (raw.length === 0) {
    return [];
  }
  const status = Status.decode(raw[0]);
  return status.details.map((any) => {
    const typeName = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
    const type = types.lookupType(typeName);
    return { type: typeName, value: type.toObject(type.decode(any.value), OBJECT_OPTIONS) };
  });
}

/** The stable error code of a failed call (ErrorInfo.reason, as REST's `code`), if any. */
function errorCode(err) {
  return errorDetails(err).find((d) => d.type === 'google.rpc.ErrorInfo')?.value.reason;
}

module.exports = { INCLUDE_DIRS, api, grpc, connect, metadata, unary, errorDetails, errorCode };
