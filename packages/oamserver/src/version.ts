import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Oamserver's version, from its package.json. */
export const OAMSERVER_VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;
