import type * as Platformatic from '@platformatic/kafka';
import { importPeer } from './peer-clients.js';

/**
 * @platformatic/kafka, from peers/ (see peer-clients.ts): the names the compatibility tests, the
 * golden-frame capture and the client benchmark use. Importing this module fails with
 * PeersNotInstalledError when peers/ is not installed.
 */
const pk = await importPeer<typeof Platformatic>('@platformatic/kafka');

export type { MessageToProduce } from '@platformatic/kafka';
export const Admin = pk.Admin;
export type Admin = Platformatic.Admin;
export const Consumer = pk.Consumer;
export const Producer = pk.Producer;
export const ConfigResourceTypes = pk.ConfigResourceTypes;
export const IncrementalAlterConfigOperationTypes = pk.IncrementalAlterConfigOperationTypes;
export const MessagesStreamFallbackModes = pk.MessagesStreamFallbackModes;
export const MessagesStreamModes = pk.MessagesStreamModes;
export const ProduceAcks = pk.ProduceAcks;
export const stringDeserializers = pk.stringDeserializers;
export const stringSerializers = pk.stringSerializers;
