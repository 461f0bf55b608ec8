// recorder: records a caller's message (simulated: a short synthetic tone, encoded, checksummed)
// and hands it to storage.
//   POST /recordings   { number, caller, notify? }   → 201 { messageId, durationMs }
import { createHash } from 'node:crypto';
import { downstream, relayFailure } from './lib/downstream.js';
import { sleep } from './lib/faults.js';
import { isPhoneNumber } from './lib/key-space.js';
import { createService, startService } from './lib/service.js';
import { serviceConfig } from './lib/config.js';
import { DOWNSTREAMS } from './lib/topology.js';

const SAMPLE_RATE_HZ = 8000;

const config = serviceConfig('recorder', { env: process.env, argv: process.argv, downstreams: DOWNSTREAMS.recorder });
const { app, logger } = createService(config);
const storage = downstream('storage', config.downstreams.storage, { timeoutMs: config.downstreamTimeoutMs });

/**
 * "Records" a message: 8-bit samples of a 440 Hz tone, a few hundred ms long. Small enough to
 * keep in Redis, real enough that encoding and hashing take a little time, like audio would.
 */
function recordTone(durationMs) {
  const samples = Buffer.alloc(Math.round((SAMPLE_RATE_HZ * durationMs) / 1000));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = 128 + Math.round(100 * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE_HZ));
  }
  return samples;
}

app.post('/recordings', async (req, res) => {
  const { number, caller, notify } = req.body ?? {};
  if (!isPhoneNumber(number) || !isPhoneNumber(caller)) {
    res.status(400).json({ error: 'number and caller must be 3 to 15 digits' });
    return;
  }
  const durationMs = 200 + Math.floor(Math.random() * 300);
  const audio = recordTone(durationMs);
  // The line to the caller is slow-ish: a few ms before the recording is complete.
  await sleep(2 + Math.floor(Math.random() * 6));
  const stored = await storage.call('POST', '/messages', {
    number,
    caller,
    notify: notify === 'push' ? 'push' : 'sms',
    durationMs,
    audio: audio.toString('base64'),
    sha256: createHash('sha256').update(audio).digest('hex'),
  });
  if (relayFailure(res, stored)) return;
  res.status(201).json({ messageId: stored.body.messageId, durationMs });
});

startService({ app, config, logger });
