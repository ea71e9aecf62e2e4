import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/schemas.js';
import type { CodeHasher } from './codes.js';
import { CallInMatchInput, CallInMatchOutput, CallInRequestInput, CallInRequestOutput } from './request-schemas.js';
import { matchCallIn, requestCallIn } from './requests.js';

const tags = ['data-actions'];
const errorsOf = errorResponses(400, 401, 403, 404, 429);

/** `/actions/v1/call-in/*`: the app (or a flow) asks for a number to call; the inbound flow matches the call. */
export const callInActionRoutes: FastifyPluginAsyncTypebox<{ codes: CodeHasher }> = async (app, opts) => {
  app.post(
    '/call-in/requests',
    { config: { publishable: true }, schema: { tags, summary: 'Hand out a number to call (and an access code) of a call-in group', body: CallInRequestInput, response: { 200: CallInRequestOutput, ...errorsOf } } },
    async (request) => requestCallIn(request.ctx, opts.codes, request.body),
  );
  app.post(
    '/call-in/match',
    { schema: { tags, summary: 'Match an inbound call to its call-in request (once)', body: CallInMatchInput, response: { 200: CallInMatchOutput, ...errorsOf } } },
    async (request) => matchCallIn(request.ctx, opts.codes, request.body),
  );
};
