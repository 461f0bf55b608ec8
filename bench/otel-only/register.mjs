// `node --import ./otel-only/register.mjs app.js`: plain OpenTelemetry, no hoptrace — the baseline
// a user compares the drop-in against. The ESM hook is registered exactly as
// packages/instrument/src/register.mts does it (only the modules the instrumentations patch go
// through import-in-the-middle), then the CommonJS setup starts the SDK.
//
// The hook must be in place before the app imports express or ioredis, and static imports are
// hoisted, so this file imports nothing but node:module.
import { createRequire, register } from 'node:module';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
  data: { include: ['express', 'ioredis', 'http', 'https'] },
});

createRequire(import.meta.url)('./setup.cjs');
