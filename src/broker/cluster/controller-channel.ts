import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { MetadataImage } from '../../metadata/metadata-image.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { RequestBody, ResponseBody } from '../../protocol/frame.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { type InterBrokerClient, InterBrokerRequestError } from './inter-broker-client.js';

/** Pause between attempts while no controller is known or it cannot be reached. */
const RETRY_BACKOFF_MS = 100;
/** One attempt's bound: an answer from the controller never takes longer unless etcd hangs. */
const ATTEMPT_TIMEOUT_MS = 15_000;

/** Where another broker is reached: its endpoint on the inter-broker listener. */
export function interBrokerAddress(
  image: MetadataImage,
  nodeId: number,
  listenerName: string,
): { host: string; port: number } | null {
  const b = image.brokers.get(nodeId);
  if (!b || b.fenced) return null;
  const ep = b.endPoints.find((e) => e.name === listenerName);
  return ep ? { host: ep.host, port: ep.port } : null;
}

/** The controller did not answer before the request's deadline. */
export class ControllerUnavailableError extends InterBrokerRequestError {}

/**
 * Requests from this broker to the active controller (Kafka's BrokerToControllerChannelManager):
 * each is sent to the controller the election last named, on its inter-broker listener; while
 * there is none, it cannot be reached, or it answers that it is no longer the controller
 * (`retryOn` says so from the response), the request waits a moment and goes to the newest
 * controller, until its deadline.
 */
export class ControllerChannel {
  constructor(
    private readonly client: InterBrokerClient,
    private readonly o: {
      readonly controllerId: () => number;
      readonly image: () => MetadataImage;
      readonly listenerName: string;
      readonly clock: Clock;
      readonly logger: Logger;
    },
  ) {}

  async send<K extends number>(
    apiKey: K,
    version: number,
    body: MessageInput<RequestBody<K>>,
    timeoutMs: number,
    retryOn: (response: ResponseBody<K>) => boolean = () => false,
  ): Promise<ResponseBody<K>> {
    const deadline = this.o.clock.monotonicMs() + timeoutMs;
    let last = 'no active controller';
    for (;;) {
      const left = deadline - this.o.clock.monotonicMs();
      if (left <= 0)
        throw new ControllerUnavailableError(`the controller did not answer within ${timeoutMs} ms: ${last}`);
      const controller = this.o.controllerId();
      const address =
        controller >= 0 ? interBrokerAddress(this.o.image(), controller, this.o.listenerName) : null;
      if (address) {
        try {
          const res = await this.client.send(
            address,
            apiKey,
            version,
            body,
            Math.min(left, ATTEMPT_TIMEOUT_MS),
          );
          if (!retryOn(res)) return res;
          last = `controller ${controller} is no longer the controller`;
        } catch (err) {
          if (!(err instanceof InterBrokerRequestError)) throw err;
          last = err.message;
          this.o.logger.debug({ controller, err: err.message }, 'controller request failed; retrying');
        }
      } else if (controller >= 0) {
        last = `controller ${controller} has no endpoint on listener ${this.o.listenerName}`;
      }
      await new Promise<void>((resolve) =>
        this.o.clock.setTimer(Math.min(RETRY_BACKOFF_MS, Math.max(left, 1)), resolve),
      );
    }
  }
}

/** An envelope or AllocateProducerIds answer saying the receiver is not the controller (any more). */
export function notController(res: { errorCode: number }): boolean {
  return res.errorCode === ErrorCode.NOT_CONTROLLER;
}
