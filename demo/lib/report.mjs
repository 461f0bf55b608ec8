// What the launcher prints: the instance table, the URLs, and how to use the demo.
import { relative } from 'node:path';

/**
 * The table of services, instances and URLs; with a `clock offset` column when some instance
 * runs with a shifted clock (`clockOffsets`: instance id → `{ text }`, see clock-offset.mjs).
 */
export function instanceTable(plan, clockOffsets = new Map()) {
  const withClock = clockOffsets.size > 0;
  const urlWidth = Math.max(...plan.map((i) => i.url.length));
  const row = (service, id, url, clock) =>
    withClock
      ? `  ${service.padEnd(10)} ${id.padEnd(12)} ${url.padEnd(urlWidth)} ${clock}`
      : `  ${service.padEnd(10)} ${id.padEnd(12)} ${url}`;
  const rows = plan.map((i) => row(i.service, i.id, i.url, clockOffsets.get(i.id)?.text ?? '-'));
  return [row('service', 'instance', 'url', 'clock offset'), ...rows].join('\n');
}

/** The closing "how to use it" text: the dashboard first, then the instances (`instances`, the table), calls and faults. */
export function usageHints({ plan, oamserverUrl, configPath, repoDir, envFile, instances }) {
  const first = (service) => plan.find((i) => i.service === service);
  const gateway = first('gateway').url;
  const recorder = first('recorder');
  const lines = [];
  if (oamserverUrl) {
    // The first thing to open: the dashboard shows every probe, run and incident.
    lines.push('', `dashboard         ${oamserverUrl}/          (open it in a browser)`);
  }
  if (instances) lines.push('', instances);
  lines.push(
    '',
    `gateway          ${gateway}`,
    `  leave a message   curl -X POST ${gateway}/calls/4155550100/voicemail -H 'content-type: application/json' -d '{"caller":"4155550199"}'`,
    `  listen            curl ${gateway}/subscribers/4155550100/messages -H 'x-pin: 1234'`,
    `  new greeting      curl -X PUT ${gateway}/subscribers/4155550100/greeting -H 'content-type: application/json' -d '{"text":"Back on Monday"}'`,
  );
  if (oamserverUrl) {
    lines.push(
      '',
      `Oamserver API     ${oamserverUrl}/api/runs      (probe config: ${relative(process.cwd(), configPath) || configPath})`,
      `  recent runs       pnpm hoptrace runs   or   node packages/oamserver/dist/cli/main.js runs`,
    );
  }
  lines.push(
    '',
    `fault injection (loopback only; GET / PUT / DELETE /admin/faults on any instance):`,
    `  slow recorder     curl -X PUT ${recorder.url}/admin/faults -d '{"latencyMs":400}' -H 'content-type: application/json'`,
    `  flaky recorder    curl -X PUT ${recorder.url}/admin/faults -d '{"errorRate":0.5}' -H 'content-type: application/json'`,
    `  heal it           curl -X DELETE ${recorder.url}/admin/faults`,
    '',
    envFile &&
      `REDIS_URL and HOPTRACE_SECRET of this run are in ${relative(repoDir, envFile)}  (set -a; . ${relative(process.cwd(), envFile)}; set +a)`,
  );
  return lines.filter((line) => typeof line === 'string').join('\n');
}
