// Types of ports.mjs, for the TypeScript tests that use it.
export function portIsFree(port: number): Promise<boolean>;
export function udpPortIsFree(port: number): Promise<boolean>;
export function freePort(): Promise<number>;
export function freePortRange(count: number): Promise<number>;
