import type { RequestContext } from '../api-handler.js';
import type { GroupRequestOrigin } from '../group-coordinator/shell/group-coordinator-shell.js';

/** The client of a group request as Kafka records it on a member: client id and "/host". */
export function groupRequestOrigin(ctx: RequestContext): GroupRequestOrigin {
  const address = ctx.connection.clientAddress;
  const host = address.slice(0, address.lastIndexOf(':'));
  return { apiVersion: ctx.apiVersion, clientId: ctx.header.clientId ?? '', clientHost: `/${host}` };
}
