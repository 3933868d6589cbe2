import type { ConnectRecord } from '../api/connect-record.js';
import { ConnectConfigDef } from '../config/connect-config-def.js';
import type { Transformation } from './transformation.js';

/** Kafka's Filter (KIP-585): drops every record it is applied to; used with a predicate. */
export class Filter implements Transformation {
  config(): ConnectConfigDef {
    return new ConnectConfigDef();
  }
  configure(): void {}
  apply<R extends ConnectRecord>(_record: R): R | null {
    return null;
  }
  close(): void {}
}
