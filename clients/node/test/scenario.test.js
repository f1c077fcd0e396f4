'use strict';
// A non-JVM client end to end: create a database, transact under a condition, read the
// FailedConditions detail of a conflicting transaction, query, and follow a live subscription.
//
//   EVIDENTSOURCE_GRPC_ADDRESS=localhost:9090 [EVIDENTSOURCE_API_KEY=...] node --test test/
//
// The build runs it against the server started as the container image starts it
// (deploy/src/test/java/.../ImageEntrypointTest and LocalClusterTest).

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const es = require('../evidentsource');

const address = process.env.EVIDENTSOURCE_GRPC_ADDRESS;
const apiKey = process.env.EVIDENTSOURCE_API_KEY || '';
if (!address) {
  throw new Error('set EVIDENTSOURCE_GRPC_ADDRESS=host:port (the server\'s gRPC port)');
}
const call = { apiKey };

function orderEvent(id, subject, data) {
  return {
    id,
    source: 'https://shop.example/orders',
    spec_version: '1.0',
    type: 'OrderPlaced',
    attributes: {
      subject: { ce_string: subject },
      datacontenttype: { ce_string: 'application/json' },
    },
    text_data: JSON.stringify(data),
  };
}

const noEventFor = (subject) => ({
  max: {
    selector: { equals: { attribute: 'ATTRIBUTE_SUBJECT', value: subject } },
    revision: '0',
  },
});

/** Reads a server stream to its end. */
function readAll(stream) {
  return new Promise((resolve, reject) => {
    const items = [];
    stream.on('data', (item) => items.push(item));
    stream.on('error', reject);
    stream.on('end', () => resolve(items));
  });
}

/** The next `count` events of a live subscription (heartbeats skipped). */
function nextEvents(subscription, count) {
  return new Promise((resolve, reject) => {
    const events = [];
    const onData = (item) => {
      if (item.item === 'event') {
        events.push(item.event);
        if (events.length === count) {
          subscription.off('data', onData);
          resolve(events);
        }
      }
    };
    subscription.on('data', onData);
    subscription.once('error', reject);
  });
}

test('a Node client creates, transacts, reads a failed condition, queries and subscribes', async (t) => {
  const client = es.connect(address);
  t.after(() => client.close());
  const database = `node-${crypto.randomBytes(4).toString('hex')}`;

  const created = await es.unary(client, 'CreateDatabase', { name: database }, call);
  assert.equal(created.database.name, database);
  assert.equal(created.database.revision, '0');

  const first = await es.unary(
    client,
    'Transact',
    {
      database,
      events: [orderEvent('o-1', 'order-1', { total: 42 })],
      conditions: [noEventFor('order-1')],
    },
    call,
  );
  assert.equal(first.first_revision, '1');
  assert.equal(first.revision, '1');
  assert.equal(first.event_count, 1);
  assert.equal(first.duplicate, false);

  // the same guard again: nothing is appended, and the error says which condition failed and why
  const conflict = await es
    .unary(
      client,
      'Transact',
      {
        database,
        events: [orderEvent('o-1b', 'order-1', { total: 43 })],
        conditions: [noEventFor('order-1')],
      },
      call,
    )
    .then(
      () => assert.fail('a transaction whose condition fails must be refused'),
      (err) => err,
    );
  assert.equal(conflict.code, es.grpc.status.FAILED_PRECONDITION);
  assert.equal(es.errorCode(conflict), 'condition_failed');
  const failed = es.errorDetails(conflict).find((d) => d.type === 'evidentsource.v1.FailedConditions');
  assert.ok(failed, 'a FailedConditions detail');
  assert.equal(failed.value.head_revision, '1');
  assert.equal(failed.value.failed_conditions.length, 1);
  assert.equal(failed.value.failed_conditions[0].actual_revision, '1');
  const watched = failed.value.failed_conditions[0].condition.max;
  assert.equal(watched.revision, '0');
  assert.equal(watched.selector.equals.attribute, 'ATTRIBUTE_SUBJECT');
  assert.equal(watched.selector.equals.value, 'order-1');

  const page = await readAll(
    client.queryEvents(
      { database, selector_text: "subject = 'order-1'" },
      es.metadata(apiKey),
    ),
  );
  const events = page.filter((i) => i.item === 'event').map((i) => i.event);
  assert.deepEqual(
    events.map((e) => [e.revision, e.event.id, e.event.text_data]),
    [['1', 'o-1', '{"total":42}']],
  );
  assert.equal(page.at(-1).item, 'end');
  assert.equal(page.at(-1).end.revision, '1');

  // a live tail from revision 1: the stored event, then one committed while it is open
  const subscription = client.subscribeEvents(
    { database, selector_text: "subject = 'order-1'", from_revision: '1' },
    es.metadata(apiKey),
  );
  t.after(() => subscription.cancel());
  subscription.on('error', () => {}); // CANCELLED when the test ends it
  const caughtUp = await nextEvents(subscription, 1);
  assert.equal(caughtUp[0].revision, '1');
  const live = nextEvents(subscription, 1);
  await es.unary(
    client,
    'Transact',
    { database, events: [orderEvent('o-2', 'order-1', { total: 7 })] },
    call,
  );
  const [followed] = await live;
  assert.equal(followed.revision, '2');
  assert.equal(followed.event.id, 'o-2');
  assert.equal(followed.event.attributes.subject.ce_string, 'order-1');

  const { database: head } = await es.unary(client, 'GetDatabase', { name: database }, call);
  assert.equal(head.revision, '2');
  await es.unary(client, 'DeleteDatabase', { name: database }, call);
});
