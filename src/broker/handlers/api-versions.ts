import { ErrorCode } from '../../protocol/error-codes.js';
import { ApiVersionsRequest } from '../../protocol/generated/messages/api-versions-request.js';
import { ApiVersionsResponse } from '../../protocol/generated/messages/api-versions-response.js';
import { defineHandler } from '../api-handler.js';

const CLIENT_SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/**
 * ApiVersions: advertises exactly the APIs and versions the broker serves. From v3 the client
 * names its software; names outside KIP-511's pattern get INVALID_REQUEST.
 */
export function apiVersionsHandler(
  supported: () => { apiKey: number; minVersion: number; maxVersion: number }[],
) {
  return defineHandler(ApiVersionsRequest, ApiVersionsResponse, { min: 0, max: 4 }, (req, ctx) => {
    if (ctx.apiVersion >= 3) {
      const ok =
        CLIENT_SOFTWARE.test(req.clientSoftwareName) && CLIENT_SOFTWARE.test(req.clientSoftwareVersion);
      if (!ok) return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [] };
    }
    return {
      errorCode: ErrorCode.NONE,
      apiKeys: supported(),
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: -1n,
    };
  });
}
