/**
 * `node --require @hoptrace/instrument/register app.cjs`: instruments a CommonJS service
 * before its own code loads. (ESM services use `--import`, which loads register.mjs.)
 */
import { registerFromEnvironment } from './register-from-env';

registerFromEnvironment(process.env);
