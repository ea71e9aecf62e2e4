import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { crudRoutes } from '../http/crud.js';
import * as policies from './retry-policies.js';
import { CallbackRetryPolicy, CreateCallbackRetryPolicyBody, UpdateCallbackRetryPolicyBody } from './retry-policy-schemas.js';

/** `/admin/v1/callback-retry-policies`: retries for callbacks nobody answered. */
export const callbackRetryPolicyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(
    crudRoutes({
      path: '/callback-retry-policies',
      tag: 'callback-retries',
      noun: 'callback retry policy',
      item: CallbackRetryPolicy,
      create: CreateCallbackRetryPolicyBody,
      update: UpdateCallbackRetryPolicyBody,
      list: policies.listCallbackRetryPolicies,
      get: policies.getCallbackRetryPolicy,
      add: policies.createCallbackRetryPolicy,
      change: policies.updateCallbackRetryPolicy,
      remove: policies.deleteCallbackRetryPolicy,
    }),
  );
};
