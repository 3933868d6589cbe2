import type { Logger } from '../common/logger.js';
import { StromError } from '../common/strom-error.js';
import { API_REGISTRY } from '../protocol/generated/api-registry.js';
import type { MessageCodec, MessageInput } from '../protocol/message-codec.js';
import { type ApiHandler, NO_RESPONSE, type RequestContext } from './api-handler.js';
import { ConnectionSession } from './security/connection-session.js';

/** A local request the broker cannot serve: an API or version it does not serve, or no response. */
export class LocalRequestError extends StromError {
  constructor(message: string) {
    super('LOCAL_REQUEST_UNSERVED', message);
  }
}

/**
 * Kafka requests made inside the broker process, for the web console: each goes to the same
 * handler as a request from a socket, as a given principal, so that what the console may see and
 * change is what that principal may through the Kafka APIs. The body is encoded and decoded in
 * the requested version, as it would be on the wire, so the handler gets every field with its
 * default, and the caller gets the response as a client would decode it.
 */
export class LocalRequests {
  private readonly handlers = new Map<number, ApiHandler>();
  private next = 0;

  constructor(
    handlers: readonly ApiHandler[],
    /** The listener whose endpoints Metadata and DescribeCluster answer with. */
    private readonly listenerName: () => string,
    private readonly log: Logger,
  ) {
    for (const h of handlers) this.handlers.set(h.apiKey, h);
  }

  async send<Req, Res>(
    request: MessageCodec<Req>,
    response: MessageCodec<Res>,
    version: number,
    body: MessageInput<Req>,
    principal: string,
  ): Promise<Res> {
    const handler = this.handlers.get(request.apiKey);
    const api = API_REGISTRY.get(request.apiKey);
    if (
      handler === undefined ||
      api === undefined ||
      version < handler.minVersion ||
      version > handler.maxVersion
    ) {
      throw new LocalRequestError(`${request.name} v${version} is not served by this broker`);
    }
    const decoded = request.decode(version, request.encode(version, body));
    const connectionId = `local-${this.next++}`;
    const log = this.log.child({ connectionId });
    const ctx: RequestContext = {
      header: {
        apiKey: request.apiKey,
        apiVersion: version,
        correlationId: 0,
        clientId: 'strom-console',
        headerVersion: api.requestHeaderVersion(version),
        versionSupported: true,
        api,
      },
      apiVersion: version,
      connection: {
        connectionId,
        listenerName: this.listenerName(),
        clientAddress: 'console',
        log,
        session: new ConnectionSession('PLAINTEXT', principal),
      },
      log,
    };
    const answer = await handler.handle(decoded, ctx);
    if (answer === NO_RESPONSE) throw new LocalRequestError(`${request.name} gave no response`);
    return response.decode(version, response.encode(version, answer as MessageInput<Res>));
  }
}
