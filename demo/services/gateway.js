// gateway: the edge of the voicemail platform; the only service callers talk to.
//   POST /calls/:number/voicemail     { caller }   a caller leaves a message   → 201 { messageId }
//     mailbox (profile, greeting) → recorder (records, then storage keeps it, then the notifier is told)
//   GET  /subscribers/:number/messages  x-pin       the subscriber listens      → 200 { messages }
//     mailbox (checks the PIN) → retrieval (asks storage)
//   PUT  /subscribers/:number/greeting  { text }    a new greeting              → 200
//     mailbox
//   GET  /subscribers/:number/messages/:id/notification   was the subscriber told? → 200 | 404
//     notifier
//   DELETE /subscribers/:number/messages/:id  x-pin  the subscriber deletes it   → 200 | 404
//     mailbox (checks the PIN) → retrieval (storage deletes it)
import { downstream, relayFailure } from './lib/downstream.js';
import { isPhoneNumber } from './lib/key-space.js';
import { createService, startService } from './lib/service.js';
import { serviceConfig } from './lib/config.js';
import { DOWNSTREAMS } from './lib/topology.js';

const config = serviceConfig('gateway', { env: process.env, argv: process.argv, downstreams: DOWNSTREAMS.gateway });
const { app, logger } = createService(config);
const options = { timeoutMs: config.downstreamTimeoutMs };
const mailbox = downstream('mailbox', config.downstreams.mailbox, options);
const recorder = downstream('recorder', config.downstreams.recorder, options);
const retrieval = downstream('retrieval', config.downstreams.retrieval, options);
const notifier = downstream('notifier', config.downstreams.notifier, options);

/** Answers 400 and returns false when the path's number is not a phone number. */
function validNumber(req, res) {
  if (isPhoneNumber(req.params.number)) return true;
  res.status(400).json({ error: 'number must be 3 to 15 digits' });
  return false;
}

app.post('/calls/:number/voicemail', async (req, res) => {
  if (!validNumber(req, res)) return;
  const { number } = req.params;
  const caller = req.body?.caller;
  if (!isPhoneNumber(caller)) {
    res.status(400).json({ error: 'caller must be 3 to 15 digits' });
    return;
  }
  // The caller hears the subscriber's greeting first, then the message is recorded.
  const profile = await mailbox.call('GET', `/subscribers/${number}`);
  if (relayFailure(res, profile)) return;
  const recording = await recorder.call('POST', '/recordings', { number, caller, notify: profile.body.notify });
  if (relayFailure(res, recording)) return;
  res.status(201).json({ number, messageId: recording.body.messageId, greeting: profile.body.greeting });
});

app.get('/subscribers/:number/messages', async (req, res) => {
  if (!validNumber(req, res)) return;
  const { number } = req.params;
  const pin = req.get('x-pin');
  if (!pin) {
    res.status(401).json({ error: 'the x-pin header is required' });
    return;
  }
  const verified = await mailbox.call('POST', `/subscribers/${number}/verify-pin`, { pin });
  if (relayFailure(res, verified)) return;
  const listing = await retrieval.call('GET', `/mailboxes/${number}/messages`);
  if (relayFailure(res, listing)) return;
  res.json(listing.body);
});

app.put('/subscribers/:number/greeting', async (req, res) => {
  if (!validNumber(req, res)) return;
  const updated = await mailbox.call('PUT', `/subscribers/${req.params.number}/greeting`, { text: req.body?.text });
  if (relayFailure(res, updated)) return;
  res.json(updated.body);
});

app.get('/subscribers/:number/messages/:id/notification', async (req, res) => {
  if (!validNumber(req, res)) return;
  const sent = await notifier.call('GET', `/notifications/${encodeURIComponent(req.params.id)}`);
  if (relayFailure(res, sent)) return;
  res.json(sent.body);
});

app.delete('/subscribers/:number/messages/:id', async (req, res) => {
  if (!validNumber(req, res)) return;
  const { number, id } = req.params;
  const pin = req.get('x-pin');
  if (!pin) {
    res.status(401).json({ error: 'the x-pin header is required' });
    return;
  }
  const verified = await mailbox.call('POST', `/subscribers/${number}/verify-pin`, { pin });
  if (relayFailure(res, verified)) return;
  const deleted = await retrieval.call('DELETE', `/mailboxes/${number}/messages/${encodeURIComponent(id)}`);
  if (relayFailure(res, deleted)) return;
  res.json(deleted.body);
});

startService({ app, config, logger });
