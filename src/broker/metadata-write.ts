import type { Logger } from '../common/logger.js';
import type { ControllerResult } from '../metadata/controller/metadata-record.js';
import { EtcdError } from '../metadata/etcd/etcd-kv.js';
import type { MetadataImage } from '../metadata/metadata-image.js';
import { MetadataWriterFencedError } from '../metadata/metadata-log.js';
import type { MetadataManager } from '../metadata/metadata-manager.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { StorageError } from '../storage/storage-error.js';

/** What a metadata write needs: a part of `BrokerServices` (so the group coordinator's shell can use it). */
export interface MetadataWriter {
  readonly metadata: MetadataManager;
  readonly logger: Logger;
}

/**
 * Runs a controller operation. When its records cannot be made durable (the metadata log's disk is
 * full or failing) nothing was applied, and the request is answered with KAFKA_STORAGE_ERROR in
 * every entry (`failed`) instead of closing the connection; the metadata log cut the failed write
 * back, so the operation can be retried once the disk has room. In a cluster, etcd unreachable is
 * REQUEST_TIMED_OUT and a controller deposed meanwhile NOT_CONTROLLER, both retriable.
 */
export async function submitOrFail<T>(
  s: MetadataWriter,
  op: (image: MetadataImage) => ControllerResult<T>,
  failed: (errorCode: number, errorMessage: string) => T,
): Promise<T> {
  try {
    return await s.metadata.submit(op);
  } catch (err) {
    if (err instanceof EtcdError) {
      // etcd keeps the cluster's metadata: while it is away nothing can change, and clients retry.
      s.logger.error(
        { err: err.message },
        'metadata write failed: etcd unavailable; the operation was not applied',
      );
      return failed(
        ErrorCode.REQUEST_TIMED_OUT,
        `The cluster metadata in etcd could not be written: ${err.message}`,
      );
    }
    if (err instanceof MetadataWriterFencedError) {
      // Deposed between the request's arrival and its append: the client finds the new controller.
      return failed(ErrorCode.NOT_CONTROLLER, 'This broker is no longer the active controller.');
    }
    if (!(err instanceof StorageError)) throw err;
    s.logger.error({ err }, 'metadata write failed; the operation was not applied');
    return failed(ErrorCode.KAFKA_STORAGE_ERROR, `The metadata log could not be written: ${err.message}`);
  }
}
