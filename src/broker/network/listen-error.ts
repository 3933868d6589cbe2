import { StromError } from '../../common/strom-error.js';
import type { Listener } from '../config/broker-config.js';

/**
 * A listener that cannot bind its address: taken by another process (EADDRINUSE), not an address
 * of this machine (EADDRNOTAVAIL) or a privileged port (EACCES). It names the listener and the
 * address, so the operator knows which entry of `listeners` to change.
 */
export class ListenError extends StromError {
  /** The operating system's code: EADDRINUSE, EADDRNOTAVAIL, EACCES, … */
  readonly osCode: string;

  constructor(
    readonly listener: Listener,
    cause: NodeJS.ErrnoException,
  ) {
    const address = `${listener.host === '' ? '0.0.0.0' : listener.host}:${listener.port}`;
    const why =
      cause.code === 'EADDRINUSE'
        ? 'the address is already in use (another broker?)'
        : cause.code === 'EADDRNOTAVAIL'
          ? 'the host is not an address of this machine'
          : cause.code === 'EACCES'
            ? 'permission denied (a port below 1024?)'
            : cause.message;
    super('LISTEN_FAILED', `listener ${listener.name} cannot listen on ${address}: ${why}`, { cause });
    this.osCode = cause.code ?? 'UNKNOWN';
  }
}
