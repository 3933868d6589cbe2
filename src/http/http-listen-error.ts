import { StromError } from '../common/strom-error.js';
import type { HttpListener } from './http-listeners.js';

/**
 * An HTTP listener that cannot bind its address (taken by another process, not an address of this
 * machine, a privileged port): names the listener and the config key to change, as the Kafka
 * listeners' ListenError does.
 */
export class HttpListenError extends StromError {
  /** The operating system's code: EADDRINUSE, EADDRNOTAVAIL, EACCES, … */
  readonly osCode: string;

  constructor(
    readonly listener: HttpListener,
    cause: NodeJS.ErrnoException,
  ) {
    const why =
      cause.code === 'EADDRINUSE'
        ? 'the address is already in use (another broker?)'
        : cause.code === 'EADDRNOTAVAIL'
          ? 'the host is not an address of this machine'
          : cause.code === 'EACCES'
            ? 'permission denied (a port below 1024?)'
            : cause.message;
    super(
      'HTTP_LISTEN_FAILED',
      `HTTP listener ${listener.url} cannot listen: ${why}; set strom.http.listeners to another address, or none`,
      { cause },
    );
    this.osCode = cause.code ?? 'UNKNOWN';
  }
}
