// retrieval: what a subscriber hears when listening: the mailbox's messages (from storage), each
// marked new or already listened to, after which all of them count as listened. The listened
// state is retrieval's own, kept in Redis next to the mailbox (synthetic for probes).
//   GET /mailboxes/:number/messages  → 200 { number, messages: [{ ..., listened }], newCount }
//   DELETE /mailboxes/:number/messages/:id → 200 { deleted } | 404 (storage deletes it)
import { downstream, relayFailure } from './lib/downstream.js';
import { isPhoneNumber, keySpace } from './lib/key-space.js';
import { createService, startService } from './lib/service.js';
import { serviceConfig } from './lib/config.js';
import { DOWNSTREAMS } from './lib/topology.js';

const config = serviceConfig('retrieval', { env: process.env, argv: process.argv, downstreams: DOWNSTREAMS.retrieval });
const { app, logger, redis } = createService(config, { usesRedis: true });
const storage = downstream('storage', config.downstreams.storage, { timeoutMs: config.downstreamTimeoutMs });

app.get('/mailboxes/:number/messages', async (req, res) => {
  const { number } = req.params;
  if (!isPhoneNumber(number)) {
    res.status(400).json({ error: 'number must be 3 to 15 digits' });
    return;
  }
  const listing = await storage.call('GET', `/mailboxes/${number}/messages`);
  if (relayFailure(res, listing)) return;
  const space = keySpace(config.keyPrefix, req.hoptraceProbe);
  const key = space.listened(number);
  const listened = new Set(await redis.smembers(key));
  const messages = listing.body.messages.map((message) => ({ ...message, listened: listened.has(message.id) }));
  // Every message listed now counts as listened. The set is rewritten rather than added to, so it
  // never holds ids of messages storage has already trimmed away.
  const transaction = redis.multi().del(key);
  if (messages.length > 0) transaction.sadd(key, ...messages.map((m) => m.id)).expire(key, space.ttlSeconds);
  await transaction.exec();
  res.json({ number, messages, newCount: messages.filter((m) => !m.listened).length });
});

app.delete('/mailboxes/:number/messages/:id', async (req, res) => {
  const { number, id } = req.params;
  if (!isPhoneNumber(number)) {
    res.status(400).json({ error: 'number must be 3 to 15 digits' });
    return;
  }
  const deleted = await storage.call('DELETE', `/mailboxes/${number}/messages/${encodeURIComponent(id)}`);
  if (relayFailure(res, deleted)) return;
  await redis.srem(keySpace(config.keyPrefix, req.hoptraceProbe).listened(number), id);
  res.json(deleted.body);
});

startService({ app, config, logger, onShutdown: () => redis.quit() });
