import { Cluster, type Command } from 'ioredis';

/**
 * A cluster client whose commands have their deadline from the moment they are sent. ioredis
 * times a command only once a node connection has it: while the cluster client reconnects (every
 * node lost, or the slots unknown) commands would wait in its offline queue forever.
 */
export class DeadlineCluster extends Cluster {
  /** Deadline of every command, in ms; 0 or undefined: none. Set after construction. */
  commandDeadlineMs: number | undefined;

  override sendCommand(command: Command, stream?: Parameters<Cluster['sendCommand']>[1], node?: unknown): unknown {
    if (this.commandDeadlineMs) command.setTimeout(this.commandDeadlineMs);
    return super.sendCommand(command, stream, node);
  }
}
