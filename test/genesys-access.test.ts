import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import hclParser from 'hcl2-parser';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { CreateCampaignBody } from '../src/campaigns/schemas.js';
import { OPENAPI_DIR } from '../src/docs/generate.js';
import { ENGINE_CAMPAIGN_RECORD } from '../src/docs/genesys/access.js';
import { GATEWAY_PERMISSIONS, UNPERMISSIONED_CALLS } from '../src/genesys/permissions.js';

/**
 * The engine's own Genesys access (access.tf) and the seed-000 outbound objects (outbound.tf):
 * the role grants exactly what the gateway's SDK calls need, every attribute is one the provider
 * documents, and the engine's campaign record the module outputs is one the engine accepts.
 */

type Json = Record<string, unknown>;
const TF_DIR = path.join(OPENAPI_DIR, 'genesys', 'terraform');
const source = (f: string) => readFileSync(path.join(TF_DIR, f), 'utf8');
const parse = (text: string): Json => {
  const [result] = hclParser.parseToObject(text) as [Json | null, unknown];
  if (!result) throw new Error(`not valid HCL:\n${text.slice(0, 500)}`);
  return result;
};
const access = parse(source('access.tf'));
const outbound = parse(source('outbound.tf'));
const resource = (m: Json, type: string, label: string) => ((m.resource as Record<string, Record<string, Json[]>>)[type]![label]![0]!) as Record<string, unknown>;
const variables = (m: Json) => m.variable as Record<string, [{ default?: unknown; type?: string }]>;
const outputs = (m: Json) => m.output as Record<string, [{ value: unknown; sensitive?: boolean }]>;

const gatewaySource = readFileSync(new URL('../src/genesys/sdk-gateway.ts', import.meta.url), 'utf8');
const API_OF_VARIABLE = { conversations: 'ConversationsApi', routing: 'RoutingApi', outbound: 'OutboundApi' } as const;

describe('the engine’s Platform API permissions', () => {
  it('list every SDK call the gateway makes, and only those', () => {
    const calls = new Set<string>();
    for (const [, variable, method] of gatewaySource.matchAll(/\b(conversations|routing|outbound)\.([a-zA-Z]+)\(/g)) {
      calls.add(`${API_OF_VARIABLE[variable as keyof typeof API_OF_VARIABLE]}.${method}`);
    }
    // Each API object is made from the class the table names (new platformClient.XxxApi(client)).
    for (const [variable, api] of Object.entries(API_OF_VARIABLE)) expect(gatewaySource).toMatch(new RegExp(`const ${variable} = new platformClient\\.${api}\\(`));
    expect([...calls].sort()).toEqual([...GATEWAY_PERMISSIONS, ...UNPERMISSIONED_CALLS].map((p) => `${p.sdk.api}.${p.sdk.method}`).sort());
    for (const p of UNPERMISSIONED_CALLS) for (const m of p.usedBy) expect(gatewaySource, m).toMatch(new RegExp(`async ${m}\\(`));
    for (const p of GATEWAY_PERMISSIONS) for (const m of p.usedBy) expect(gatewaySource, `${p.permission}: ${m}`).toMatch(new RegExp(`async ${m}\\(`));
    // One entry per SDK call; a permission several calls need is listed once per call.
    expect(new Set(GATEWAY_PERMISSIONS.map((p) => `${p.sdk.api}.${p.sdk.method}`)).size).toBe(GATEWAY_PERMISSIONS.length);
  });

  it('name the operation each SDK method really calls (the pinned SDK’s source)', () => {
    const sdkDir = path.join(path.dirname(createRequire(import.meta.url).resolve('purecloud-platform-client-v2/package.json')), 'src', 'purecloud-platform-client-v2', 'api');
    for (const p of [...GATEWAY_PERMISSIONS, ...UNPERMISSIONED_CALLS]) {
      const text = readFileSync(path.join(sdkDir, `${p.sdk.api}.js`), 'utf8');
      const at = text.search(new RegExp(`\\n\\t${p.sdk.method}\\(`));
      expect(at, p.sdk.method).toBeGreaterThan(0);
      const call = /callApi\(\s*'([^']+)',\s*'([A-Z]+)'/.exec(text.slice(at))!;
      expect(`${call[2]} ${call[1]}`, p.sdk.method).toBe(p.operation);
    }
  });

  it('are exactly what the generated role grants', () => {
    const role = resource(access, 'genesyscloud_auth_role', 'engine');
    const granted = (role.permission_policies as { domain: string; entity_name: string; action_set: string[] }[]).flatMap((p) =>
      p.action_set.map((a) => `${p.domain}:${p.entity_name}:${a}`),
    );
    expect(granted.sort()).toEqual([...new Set(GATEWAY_PERMISSIONS.map((p) => p.permission))].sort());
    expect(role).not.toHaveProperty('permissions'); // no general (non-Platform-API) permissions
  });

  it('are each listed in the README with why the engine needs it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const p of GATEWAY_PERMISSIONS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${p.permission}\` | \`${p.operation}\``));
      expect(row, p.permission).toBeDefined();
      expect(row).toContain(p.why);
    }
  });
});

describe('access.tf: the engine’s OAuth client', () => {
  it('is a client-credentials client bound to the role, in the chosen division (home by default)', () => {
    const client = resource(access, 'genesyscloud_oauth_client', 'engine');
    expect(client.authorized_grant_type).toBe('CLIENT-CREDENTIALS');
    expect(client.expose_client_secret).toBe(true);
    expect(client.count).toBe('${var.engine_access_enabled ? 1 : 0}');
    expect(client.roles).toEqual([
      { role_id: '${genesyscloud_auth_role.engine[0].id}', division_id: '${coalesce(var.engine_division_id, data.genesyscloud_auth_division_home.home.id)}' },
    ]);
    expect((access.data as Json).genesyscloud_auth_division_home).toBeDefined();
    expect(variables(access).engine_division_id![0].default).toBeNull();
  });

  it('outputs what GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET take, the secret as sensitive', () => {
    const out = outputs(access);
    expect(out.engine_client_id![0].value).toBe('${one(genesyscloud_oauth_client.engine[*].client_id)}');
    expect(out.engine_client_secret![0]).toMatchObject({ value: '${one(genesyscloud_oauth_client.engine[*].client_secret)}', sensitive: true });
    expect(out.engine_role_id![0].value).toBe('${one(genesyscloud_auth_role.engine[*].id)}');
  });
});

/**
 * Attributes of mypurecloud/genesyscloud v1.84 as its docs list them (docs/resources/*.md):
 * anything else in a generated resource is a guess.
 */
const DOCUMENTED: Record<string, string[]> = {
  genesyscloud_auth_role: ['name', 'description', 'permissions', 'permission_policies', 'default_role_id'],
  'genesyscloud_auth_role.permission_policies': ['domain', 'entity_name', 'action_set', 'conditions'],
  genesyscloud_oauth_client: ['name', 'description', 'authorized_grant_type', 'access_token_validity_seconds', 'client_secret', 'directory_client_secret', 'expose_client_secret', 'integration_credential_name', 'registered_redirect_uris', 'roles', 'scopes', 'state'],
  'genesyscloud_oauth_client.roles': ['role_id', 'division_id'],
  genesyscloud_outbound_contact_list: ['name', 'column_names', 'attempt_limit_id', 'automatic_time_zone_mapping', 'column_data_type_specifications', 'contacts_filepath', 'contacts_id_name', 'division_id', 'email_columns', 'phone_columns', 'preview_mode_accepted_values', 'preview_mode_column_name', 'trim_whitespace', 'whats_app_columns', 'zip_code_column_name'],
  'genesyscloud_outbound_contact_list.phone_columns': ['column_name', 'type', 'callable_time_column', 'callable_time_column_name'],
  genesyscloud_outbound_callanalysisresponseset: ['name', 'amd_speech_distinguish_enabled', 'beep_detection_enabled', 'live_speaker_detection_mode', 'responses'],
  'genesyscloud_outbound_callanalysisresponseset.responses': ['callable_busy', 'callable_disconnect', 'callable_fax', 'callable_lineconnected', 'callable_machine', 'callable_noanswer', 'callable_person', 'callable_sit', 'uncallable_notfound', 'uncallable_sit'],
  'genesyscloud_outbound_callanalysisresponseset.responses.*': ['reaction_type', 'data', 'name'],
  genesyscloud_outbound_campaign: ['name', 'contact_list_id', 'dialing_mode', 'phone_columns', 'abandon_rate', 'agent_owned_column', 'always_running', 'auto_answer', 'call_analysis_language', 'call_analysis_response_set_id', 'callable_time_set_id', 'caller_address', 'caller_name', 'campaign_status', 'contact_list_filter_ids', 'contact_sorts', 'diagnostics_settings', 'division_id', 'dnc_list_ids', 'dynamic_contact_queueing_settings', 'dynamic_line_balancing_settings', 'edge_group_id', 'max_calls_per_agent', 'no_answer_timeout', 'outbound_line_count', 'preview_time_out_seconds', 'priority', 'queue_id', 'rule_set_ids', 'script_id', 'site_id', 'skill_columns', 'skip_preview_disabled'],
  'genesyscloud_outbound_campaign.phone_columns': ['column_name'],
};
const META = ['count', 'lifecycle', 'depends_on'];

function undocumented(type: string, body: Record<string, unknown>, at = type): string[] {
  const allowed = DOCUMENTED[at] ?? DOCUMENTED[`${at.split('.').slice(0, -1).join('.')}.*`];
  if (!allowed) return [`${at}: no documented attribute list`];
  return Object.entries(body).flatMap(([k, v]) => {
    if (at === type && META.includes(k)) return [];
    if (!allowed.includes(k)) return [`${at}.${k}`];
    const blocks = Array.isArray(v) && v.every((b) => typeof b === 'object' && b !== null && !Array.isArray(b)) ? (v as Record<string, unknown>[]) : [];
    return blocks.flatMap((b) => undocumented(type, b, `${at}.${k}`));
  });
}

describe('access.tf and outbound.tf', () => {
  const all = { ...(access.resource as Json), ...(outbound.resource as Json) } as Record<string, Record<string, Json[]>>;

  it('use only attributes the provider documents', () => {
    expect(Object.keys(all).sort()).toEqual(['genesyscloud_auth_role', 'genesyscloud_oauth_client', 'genesyscloud_outbound_callanalysisresponseset', 'genesyscloud_outbound_campaign', 'genesyscloud_outbound_contact_list']);
    for (const [type, byLabel] of Object.entries(all)) for (const [label, [body]] of Object.entries(byLabel)) expect(undocumented(type, body!), `${type}.${label}`).toEqual([]);
    // The checker itself bites.
    expect(undocumented('genesyscloud_outbound_campaign', { name: 'x', phone_columns: [{ column_name: 'a', type: 'cell' }] })).toEqual(['genesyscloud_outbound_campaign.phone_columns.type']);
  });

  it('create the outbound objects only when asked, agentless and always running, wired together', () => {
    const campaign = resource(outbound, 'genesyscloud_outbound_campaign', 'callbacks');
    expect(variables(outbound).outbound_enabled![0].default).toBe(false);
    for (const [type, byLabel] of Object.entries(all)) if (type.startsWith('genesyscloud_outbound_')) expect(byLabel.callbacks![0]!.count, type).toBe('${var.outbound_enabled ? 1 : 0}');
    expect(campaign).toMatchObject({
      dialing_mode: 'agentless',
      always_running: true,
      contact_list_id: '${genesyscloud_outbound_contact_list.callbacks[0].id}',
      call_analysis_response_set_id: '${genesyscloud_outbound_callanalysisresponseset.callbacks[0].id}',
      phone_columns: [{ column_name: '${var.outbound_phone_column}' }],
    });
    const list = resource(outbound, 'genesyscloud_outbound_contact_list', 'callbacks');
    expect(list.column_names).toBe('${local.outbound_columns}');
    expect(list.phone_columns).toEqual([{ column_name: '${var.outbound_phone_column}', type: 'cell' }]);
    const locals = (outbound.locals as Json[])[0]!.outbound_columns as string;
    for (const v of ['outbound_phone_column', 'outbound_name_column', 'outbound_extra_columns']) expect(locals).toContain(`var.${v}`);
    const cars = resource(outbound, 'genesyscloud_outbound_callanalysisresponseset', 'callbacks');
    const responses = (cars.responses as Json[])[0] as Record<string, { reaction_type: string }[]>;
    for (const r of Object.values(responses)) expect(['hangup', 'transfer', 'transfer_flow', 'play_file']).toContain(r[0]!.reaction_type);
    expect(responses.callable_person![0]).toEqual({ reaction_type: 'transfer_flow', data: '${var.outbound_flow_id}', name: '${var.outbound_flow_name}' });
  });

  it('output a campaign record the engine accepts, on the contact list it created', () => {
    const known = Object.keys(CreateCampaignBody.properties);
    for (const k of Object.keys(ENGINE_CAMPAIGN_RECORD)) expect(known, k).toContain(k);
    for (const k of CreateCampaignBody.required ?? []) expect(Object.keys(ENGINE_CAMPAIGN_RECORD), k).toContain(k);
    const body = String(outputs(outbound).engine_campaign_body![0].value);
    expect(body).toContain('contactListId = one(genesyscloud_outbound_contact_list.callbacks[*].id)');
    // With the variables' defaults (and a created list's id), the body is one POST /admin/v1/campaigns takes.
    const defaults = Object.fromEntries(Object.entries(variables(outbound)).map(([k, [v]]) => [k, v.default]));
    const record = Object.fromEntries(
      Object.entries(ENGINE_CAMPAIGN_RECORD).map(([k, expr]) => [k, expr.startsWith('var.') ? defaults[expr.slice(4)] : 'a-contact-list-id']),
    );
    expect(Value.Check(CreateCampaignBody, record), JSON.stringify([...Value.Errors(CreateCampaignBody, record)])).toBe(true);
  });

  it('are described in the module README: every variable and output', () => {
    const readme = readFileSync(path.join(TF_DIR, 'README.md'), 'utf8');
    for (const m of [access, outbound]) for (const name of [...Object.keys(variables(m)), ...Object.keys(outputs(m))]) expect(readme, name).toContain(`\`${name}\``);
  });

  it('reference only what the module declares', () => {
    const modules = [access, outbound];
    const text = source('access.tf') + source('outbound.tf');
    const declaredVars = new Set(modules.flatMap((m) => Object.keys((m.variable ?? {}) as Json)));
    for (const [, v] of text.matchAll(/\bvar\.([a-z_0-9]+)/g)) expect(declaredVars, `var.${v}`).toContain(v);
    const declared = new Set(
      modules.flatMap((m) => [
        ...Object.entries((m.resource ?? {}) as Record<string, Json>).flatMap(([type, byLabel]) => Object.keys(byLabel).map((l) => `${type}.${l}`)),
        ...Object.entries((m.data ?? {}) as Record<string, Json>).flatMap(([type, byLabel]) => Object.keys(byLabel).map((l) => `data.${type}.${l}`)),
      ]),
    );
    for (const [ref] of text.matchAll(/(?:\bdata\.)?\bgenesyscloud_[a-z_]+\.[a-z_0-9]+/g)) expect(declared, ref).toContain(ref);
    const locals = new Set(modules.flatMap((m) => ((m.locals as Json[] | undefined) ?? []).flatMap((l) => Object.keys(l))));
    for (const [, l] of text.matchAll(/\blocal\.([a-z_0-9]+)/g)) expect(locals, `local.${l}`).toContain(l);
  });
});
