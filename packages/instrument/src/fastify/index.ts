export { startFastifyServerSpans } from './fastify-server-spans';
export type { FastifyServerSpans } from './fastify-server-spans';
