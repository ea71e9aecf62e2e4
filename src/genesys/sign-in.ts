import platformClient from 'purecloud-platform-client-v2';
import type { GenesysSignInConfig } from '../config.js';
import { toGenesysError } from './errors.js';
import { createSdkClient, resolveRegion } from './sdk-gateway.js';

/**
 * "Sign in with Genesys Cloud": the OAuth authorization code grant with PKCE (RFC 7636, S256)
 * against the org's region login, through the SDK: the authorize URL as the SDK's loginPKCEGrant
 * builds it (client_id, redirect_uri, code_challenge, code_challenge_method, response_type=code,
 * state), the code exchanged with `authorizePKCEGrant` (no client secret: a PKCE client is public),
 * and the person read with `UsersApi.getUsersMe({ expand: ['groups', 'authorization'] })`.
 */

export interface GenesysIdentity {
  id: string;
  name: string;
  /** The Genesys username (an email address), else the email. */
  username: string;
  /** `active`, `inactive` or `deleted`, as Genesys reports it. */
  state: string | undefined;
  groupIds: string[];
  roleIds: string[];
}

export class GenesysSignInError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'GenesysSignInError';
  }
}

/** Where the browser signs in: login.<region>/oauth/authorize, or the configured base URL's. */
export function loginBase(config: GenesysSignInConfig): string {
  if (config.baseUrl) return config.baseUrl.replace(/\/+$/, '');
  return `https://login.${resolveRegion(config.region!)}`;
}

export function authorizeUrl(config: GenesysSignInConfig, o: { redirectUri: string; codeChallenge: string; state: string }): string {
  const query = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: o.redirectUri,
    code_challenge: o.codeChallenge,
    response_type: 'code',
    code_challenge_method: 'S256',
    state: o.state,
  });
  return `${loginBase(config)}/oauth/authorize?${query.toString()}`;
}

const ids = (items: { id?: string }[] | undefined) => (items ?? []).map((i) => i.id).filter((id): id is string => typeof id === 'string' && id !== '');

/**
 * Exchanges the code (with the PKCE verifier) for the person's token and reads who they are. The
 * token is used for this one call and then dropped: the engine keeps no Genesys token of a person.
 */
export async function identify(config: GenesysSignInConfig, o: { code: string; codeVerifier: string; redirectUri: string }): Promise<GenesysIdentity> {
  const client = createSdkClient({ region: config.region, baseUrl: config.baseUrl });
  try {
    await client.authorizePKCEGrant(config.clientId, o.codeVerifier, o.code, o.redirectUri);
  } catch (err) {
    const e = toGenesysError(err, 'sign-in');
    throw new GenesysSignInError(`Genesys Cloud refused the sign-in (${e.status || e.code})`, e.status);
  }
  let me: platformClient.Models.UserMe;
  try {
    me = await new platformClient.UsersApi(client).getUsersMe({ expand: ['groups', 'authorization'] });
  } catch (err) {
    const e = toGenesysError(err, 'users/me');
    throw new GenesysSignInError(`Genesys Cloud did not say who signed in (${e.status || e.code})`, e.status);
  }
  if (!me.id) throw new GenesysSignInError('Genesys Cloud answered users/me without an id', 0);
  return {
    id: me.id,
    name: me.name ?? me.username ?? me.email ?? me.id,
    username: me.username ?? me.email ?? me.id,
    state: me.state,
    groupIds: ids(me.groups),
    roleIds: ids(me.authorization?.roles),
  };
}
