// Free ports, found the demo launcher's way.
export { freePort, freePortRange } from '@hoptrace/demo/ports';
