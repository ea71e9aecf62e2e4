import { customAuthConfig, dataActionExport, DEFAULT_BASE_URL, GENERATED_NOTE, type ActionRoute } from './action.js';
import { contractOf, GenesysContractError, inputContract, lintContract, outputContract, type Json } from './contract.js';
import { actionsReadme, authReadme, terraformReadme } from './readme.js';
import { flowFiles } from './flows.js';
import { terraformFiles } from './terraform.js';

export { DEFAULT_BASE_URL } from './action.js';
export { GenesysContractError } from './contract.js';

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: unknown[];
  requestBody?: { content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { content?: Record<string, { schema?: Json }> }>;
}

export interface OpenApiPaths {
  paths: Record<string, Record<string, Operation>>;
}

/** Endpoints Architect and trigger workflows call as data actions. */
const DATA_ACTION_PREFIXES = ['/actions/v1/', '/events/v1/'];
const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Every `/actions/v1` and `/events/v1` route, with its contract; refuses what Genesys would. */
export function actionRoutes(doc: OpenApiPaths): ActionRoute[] {
  const problems: string[] = [];
  const routes: ActionRoute[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const prefix = DATA_ACTION_PREFIXES.find((p) => path.startsWith(p));
    if (!prefix) continue;
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (method !== 'post') {
        problems.push(`${where}: data-action endpoints are POST with a JSON body`);
        continue;
      }
      if ((op.parameters ?? []).length > 0) problems.push(`${where}: path or query parameters cannot be data-action inputs`);
      const name = path.slice(prefix.length).replaceAll('/', '-');
      if (!NAME.test(name)) problems.push(`${where}: "${name}" is not a usable action name (lowercase words separated by -)`);
      const body = op.requestBody?.content?.['application/json']?.schema;
      if (op.requestBody && !body) problems.push(`${where}: the body must be application/json`);
      const answer = op.responses?.['200']?.content?.['application/json']?.schema;
      const inputs = inputContract(body, where, problems);
      const outputs = outputContract(answer, where, problems);
      const summary = op.summary ?? where;
      const description = `${summary.replace(/\.?$/, '.')} POST ${path}. ${GENERATED_NOTE}`;
      routes.push({ name, path, tag: op.tags?.[0] ?? '', summary, contract: contractOf(inputs, outputs, description) });
    }
  }
  const seen = new Map<string, string>();
  for (const r of routes) {
    const other = seen.get(r.name);
    if (other) problems.push(`${r.path} and ${other} both make the action "${r.name}"`);
    seen.set(r.name, r.path);
  }
  for (const r of routes) problems.push(...lintContract(r.name, r.contract.inputSchema, r.contract.successSchema));
  if (problems.length > 0) throw new GenesysContractError([...new Set(problems)]);
  return routes.sort((a, b) => a.name.localeCompare(b.name));
}

export function normalizeBaseUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  // It lands verbatim in a Velocity template: no characters Velocity would read.
  if (!/^https?:\/\/[^\s$#"'\\{}]+$/.test(trimmed)) throw new Error(`not a usable base URL: ${JSON.stringify(url)}`);
  return trimmed;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The Genesys artifacts, by path relative to `openapi/`. */
export function genesysFiles(doc: OpenApiPaths, opts: { baseUrl?: string } = {}): Record<string, string> {
  const baseUrl = normalizeBaseUrl(opts.baseUrl ?? DEFAULT_BASE_URL);
  const routes = actionRoutes(doc);
  const files: Record<string, string> = {};
  files['genesys/README.md'] = actionsReadme(routes, baseUrl);
  for (const route of routes) files[`genesys/actions/${route.name}.json`] = json(dataActionExport(route, baseUrl));
  files['genesys/auth/custom-auth-action.json'] = json(customAuthConfig());
  files['genesys/auth/README.md'] = authReadme(baseUrl);
  const flows = flowFiles(routes);
  for (const flow of flows) files[`genesys/flows/${flow.file}`] = flow.content;
  for (const [name, content] of Object.entries(terraformFiles(routes, flows))) files[`genesys/terraform/${name}`] = content;
  files['genesys/terraform/README.md'] = terraformReadme(routes);
  return files;
}
