// Variant "als-run": an AsyncLocalStorage entered for every request (what OpenTelemetry's
// context manager does for every request it instruments, sampled or not).
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';

const storage = new AsyncLocalStorage();
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event !== 'request') return emit.call(this, event, ...args);
  return storage.run({ request: args[0] }, () => emit.call(this, event, ...args));
};
