import { alterClientQuotas, describeClientQuotas } from '../../metadata/controller/client-quotas.js';
import { AlterClientQuotasRequest } from '../../protocol/generated/messages/alter-client-quotas-request.js';
import { AlterClientQuotasResponse } from '../../protocol/generated/messages/alter-client-quotas-response.js';
import { DescribeClientQuotasRequest } from '../../protocol/generated/messages/describe-client-quotas-request.js';
import { DescribeClientQuotasResponse } from '../../protocol/generated/messages/describe-client-quotas-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { submitOrFail } from '../metadata-write.js';

/** AlterClientQuotas (KIP-546): quotas of users and client ids as ClientQuotaRecords in the metadata log. */
export function alterClientQuotasHandler(s: BrokerServices) {
  return defineHandler(
    AlterClientQuotasRequest,
    AlterClientQuotasResponse,
    { min: 0, max: 1 },
    async (req) => {
      const entries = await submitOrFail(
        s,
        (image) => alterClientQuotas(image, req.entries, req.validateOnly),
        (errorCode, errorMessage) =>
          req.entries.map((e) => ({ errorCode, errorMessage, entity: e.entity.map((d) => ({ ...d })) })),
      );
      return { throttleTimeMs: 0, entries };
    },
  );
}

/** DescribeClientQuotas (KIP-546): the quotas of the entities a filter matches. */
export function describeClientQuotasHandler(s: BrokerServices) {
  return defineHandler(
    DescribeClientQuotasRequest,
    DescribeClientQuotasResponse,
    { min: 0, max: 1 },
    (req) => ({
      throttleTimeMs: 0,
      ...describeClientQuotas(s.metadata.image, req.components, req.strict),
    }),
  );
}
