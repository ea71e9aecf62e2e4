import {
  ACTION_NAME_PREFIX,
  ACTION_TIMEOUT_SECONDS,
  customAuthConfig,
  GENERATED_NOTE,
  requestHeaders,
  requestTemplate,
  successTemplate,
  translationMap,
  translationMapDefaults,
  type ActionRoute,
} from './action.js';
import { accessTerraformFiles } from './access.js';
import { consoleAppTf } from './console-app.js';
import { eventRoutes, FLOW_DEFAULTS, forwardingFile, type FlowFile } from './flows.js';
import { attributes, hclString, hclTemplate, hclValue } from './hcl.js';

/**
 * A Terraform module (provider `mypurecloud/genesyscloud`) that creates the integration, its
 * User Defined (OAuth) credential, the Custom Auth action, one data action per endpoint and the
 * trigger examples. Same templates and contracts as the JSON exports; the base URL is a variable.
 */

const HEADER = `# ${GENERATED_NOTE}\n`;
export const resourceName = (name: string) => name.replaceAll('-', '_');

/**
 * The triggers the event endpoints expect: which topic starts which forwarding workflow, which
 * calls which action. `json: 'required'` where the endpoint needs an array of the event (user.end's
 * `callbackNumbers`), which data format `TopLevelPrimitives` drops.
 */
export const TRIGGERS = [
  {
    key: 'acd_start',
    topic: 'v2.detail.events.conversation.{id}.acd.start',
    action: 'conversation-acd-start',
    description: 'Callbacks entering a queue: start priority aging',
    criteria: [{ jsonPath: 'mediaType', operator: 'Equal', value: 'CALLBACK' }],
    json: 'default',
  },
  {
    key: 'acd_end',
    topic: 'v2.detail.events.conversation.{id}.acd.end',
    action: 'conversation-acd-end',
    description: 'Callbacks leaving a queue: stop aging, answered or abandoned',
    criteria: [{ jsonPath: 'mediaType', operator: 'Equal', value: 'CALLBACK' }],
    json: 'default',
  },
  {
    key: 'user_start',
    topic: 'v2.detail.events.conversation.{id}.user.start',
    action: 'conversation-user-start',
    description: 'An agent alerted on a callback: it is routing',
    criteria: [{ jsonPath: 'mediaType', operator: 'Equal', value: 'CALLBACK' }],
    json: 'default',
  },
  {
    key: 'user_end',
    topic: 'v2.detail.events.conversation.{id}.user.end',
    action: 'conversation-user-end',
    description: 'A closed preview callback: retry it by its wrap-up',
    criteria: [
      { jsonPath: 'disconnectType', operator: 'Equal', value: 'CLIENT' },
      { jsonPath: 'mediaType', operator: 'Equal', value: 'CALLBACK' },
      { jsonPath: 'provider', operator: 'Equal', value: 'PureCloud Callback' },
      { jsonPath: 'direction', operator: 'Equal', value: 'OUTBOUND' },
    ],
    json: 'required',
  },
  {
    key: 'wrapup',
    topic: 'v2.detail.events.conversation.{id}.wrapup',
    action: 'conversation-wrapup',
    description: 'A callback wrapped up: retry it when its wrap-up code means nobody answered',
    criteria: [{ jsonPath: 'mediaType', operator: 'Equal', value: 'CALLBACK' }],
    json: 'default',
  },
  {
    key: 'preview_accepted',
    topic: 'v2.detail.events.conversation.{id}.outbound',
    action: 'preview-accepted',
    description: 'A preview contact offered to an agent: remember it for its retry policy',
    criteria: [{ jsonPath: 'mediaType', operator: 'Equal', value: 'CALLBACK' }],
    json: 'default',
  },
] as const;

export type Trigger = (typeof TRIGGERS)[number];
/** The generated workflow of a trigger (created unless its `*_workflow_id` override is set). */
export const flowResource = (t: Trigger) => `forward_${t.key}`;
/** The short name of a topic: `acd.start`, `outbound`. */
export const topicShort = (t: Trigger) => t.topic.replace('v2.detail.events.conversation.{id}.', '');
const routeOf = (routes: ActionRoute[], t: Trigger) => routes.find((r) => r.name === t.action)!;

function versionsTf(): string {
  return `${HEADER}
terraform {
  required_version = ">= 1.3.0"

  required_providers {
    genesyscloud = {
      source = "mypurecloud/genesyscloud"
      # match_criteria as a JSON string and workflow_target_settings on triggers
      version = ">= 1.70.0"
    }
  }
}
`;
}

function variablesTf(): string {
  return `${HEADER}
variable "base_url" {
  description = "Public HTTPS base URL of the callback engine, e.g. https://callbacks.example.org (no trailing path)."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+", var.base_url))
    error_message = "base_url must be an https:// URL."
  }
}

variable "client_id" {
  description = "client_id of an API client of the callback engine with the roles actions and events (npm run cli -- clients create --name genesys --roles actions,events)."
  type        = string
  sensitive   = true
}

variable "client_secret" {
  description = "Its client_secret."
  type        = string
  sensitive   = true
}

variable "integration_name" {
  description = "Name of the Web Services Data Actions integration (also the actions' category)."
  type        = string
  default     = "Callback Engine"
}

variable "action_name_prefix" {
  description = "Prefix of every data action's name; the rest is the endpoint's name (callbacks-create, ...)."
  type        = string
  default     = ${hclString(ACTION_NAME_PREFIX)}
}

variable "action_timeout_seconds" {
  description = "Timeout of each data action (1-60 s)."
  type        = number
  default     = ${ACTION_TIMEOUT_SECONDS}

  validation {
    condition     = var.action_timeout_seconds >= 1 && var.action_timeout_seconds <= 60
    error_message = "action_timeout_seconds must be between 1 and 60."
  }
}

${triggerVariables()}
variable "trigger_event_ttl_seconds" {
  description = "Events older than this are not forwarded (>= 10)."
  type        = number
  default     = 600
}

variable "triggers_enabled" {
  description = "Whether the triggers fire."
  type        = bool
  default     = true
}

variable "flows_dir" {
  description = "Folder of the Archy YAML flows (null: ../flows next to this module, as generated)."
  type        = string
  default     = null
}

variable "flows_division" {
  description = "Division of the generated workflows and example flows."
  type        = string
  default     = ${hclString(FLOW_DEFAULTS.division)}
}

variable "flows_language" {
  description = "Default language of the generated flows."
  type        = string
  default     = ${hclString(FLOW_DEFAULTS.default_language)}
}

variable "example_queue_name" {
  description = "Queue of the example in-queue and inbound flows (null: the examples are not created)."
  type        = string
  default     = null
}

variable "example_call_in" {
  description = "Also deploy the example Click-To-Call-In inbound flow (point a call-in group's numbers at it)."
  type        = bool
  default     = false
}
`;
}

function triggerVariables(): string {
  return TRIGGERS.map((t) => {
    const format =
      t.json === 'required'
        ? `variable "${t.key}_data_format" {
  description = "How the ${topicShort(t)} trigger hands events over: Json only (the whole event in Flow.jsonData), because TopLevelPrimitives drops callbackNumbers, which ${t.action} needs."
  type        = string
  default     = "Json"

  validation {
    condition     = var.${t.key}_data_format == "Json"
    error_message = "${t.key}_data_format must be Json: TopLevelPrimitives drops the callbackNumbers array, and ${t.action} would answer IGNORED for every event."
  }
}`
        : `variable "${t.key}_data_format" {
  description = "How the ${topicShort(t)} trigger hands events over: Json (the whole event in Flow.jsonData; what the generated workflow takes) or TopLevelPrimitives (only with your own workflow, ${t.key}_workflow_id)."
  type        = string
  default     = "Json"

  validation {
    condition     = contains(["Json", "TopLevelPrimitives"], var.${t.key}_data_format)
    error_message = "${t.key}_data_format must be Json or TopLevelPrimitives."
  }
}`;
    return `variable "${t.key}_workflow_id" {
  description = "Your own workflow for ${topicShort(t)} events instead of the generated one (null: the module creates and uses ${flowResource(t)}, which calls ${t.action})."
  type        = string
  default     = null
}

${format}
`;
  }).join('\n');
}

function mainTf(): string {
  const auth = customAuthConfig();
  const req = auth.request as { requestUrlTemplate: string; requestType: string; requestTemplate: string; headers: Record<string, string> };
  const res = auth.response as { translationMap: Record<string, string>; successTemplate: string };
  const triggers = TRIGGERS.map(
    (t) => `resource "genesyscloud_processautomation_trigger" "${t.key}" {
  name              = "\${var.integration_name} - ${topicShort(t)}"
  description       = ${hclString(t.description)}
  topic_name        = ${hclString(t.topic)}
  enabled           = var.triggers_enabled
  event_ttl_seconds = var.trigger_event_ttl_seconds
  match_criteria = jsonencode(${hclValue(t.criteria, '  ')})

  target {
    id   = var.${t.key}_workflow_id != null ? var.${t.key}_workflow_id : genesyscloud_flow.${flowResource(t)}[0].id
    type = "Workflow"
    workflow_target_settings {
      data_format = var.${t.key}_data_format
    }
  }

  lifecycle {
    precondition {
      condition     = var.${t.key}_workflow_id != null || var.${t.key}_data_format == "Json"
      error_message = "The generated workflow takes the event as Flow.jsonData: ${t.key}_data_format must be Json unless ${t.key}_workflow_id names your own workflow."
    }
  }
}`,
  );
  return `${HEADER}
locals {
  base_url = trimsuffix(var.base_url, "/")
}

# The login Genesys runs before the actions: POST {base_url}/oauth/token (client credentials).
resource "genesyscloud_integration_credential" "callback_engine" {
  name                 = "\${var.integration_name} OAuth"
  credential_type_name = "userDefinedOAuth"
  fields = {
    clientId     = var.client_id
    clientSecret = var.client_secret
    loginUrl     = "\${local.base_url}/oauth/token"
  }
}

resource "genesyscloud_integration" "callback_engine" {
  intended_state   = "ENABLED"
  integration_type = "custom-rest-actions"
  config {
    name       = var.integration_name
    properties = jsonencode({})
    advanced   = jsonencode({})
    notes      = "Callback engine data actions. Managed by Terraform (generated module)."
    credentials = {
      basicAuth = genesyscloud_integration_credential.callback_engine.id
    }
  }
}

# The locked "Custom Auth" action of the integration: its answer is \`authResponse\` in every action.
resource "genesyscloud_integration_custom_auth_action" "callback_engine" {
  integration_id = genesyscloud_integration.callback_engine.id
  name           = "\${var.integration_name} - Custom Auth"
  config_request {
${attributes(
  [
    ['request_url_template', hclString(req.requestUrlTemplate)],
    ['request_type', hclString(req.requestType)],
    ['request_template', hclString(req.requestTemplate)],
    ['headers', hclValue(req.headers, '    ')],
  ],
  '    ',
)}
  }
  config_response {
${attributes(
  [
    ['translation_map', hclValue(res.translationMap, '    ')],
    ['success_template', hclString(res.successTemplate)],
  ],
  '    ',
)}
  }
}

# The triggers: each starts the generated forwarding workflow (flows.tf), or your own one when its
# *_workflow_id is set, which calls the matching data action with the event.
${triggers.join('\n\n')}
`;
}

function actionTf(route: ActionRoute): string {
  const { contract } = route;
  return `# ${route.summary}
resource "genesyscloud_integration_action" "${resourceName(route.name)}" {
  name                   = "\${var.action_name_prefix}${route.name}"
  category               = var.integration_name
  integration_id         = genesyscloud_integration.callback_engine.id
  secure                 = false
  config_timeout_seconds = var.action_timeout_seconds
  contract_input = jsonencode(${hclValue(contract.inputSchema, '  ')})
  contract_output = jsonencode(${hclValue(contract.successSchema, '  ')})

  config_request {
${attributes(
  [
    ['request_url_template', hclTemplate(`\${local.base_url}${route.path}`)],
    ['request_type', '"POST"'],
    ['request_template', hclString(requestTemplate(contract.inputs))],
    ['headers', hclValue(requestHeaders(), '    ')],
  ],
  '    ',
)}
  }

  config_response {
${attributes(
  [
    ['translation_map', hclValue(translationMap(contract.outputs), '    ')],
    ['translation_map_defaults', hclValue(translationMapDefaults(contract.outputs), '    ')],
    ['success_template', hclString(successTemplate(contract.outputs))],
  ],
  '    ',
)}
  }

  depends_on = [genesyscloud_integration_custom_auth_action.callback_engine]
}`;
}

function outputsTf(routes: ActionRoute[]): string {
  return `${HEADER}
output "integration_id" {
  description = "The Web Services Data Actions integration."
  value       = genesyscloud_integration.callback_engine.id
}

output "credential_id" {
  description = "Its User Defined (OAuth) credential."
  value       = genesyscloud_integration_credential.callback_engine.id
}

output "action_ids" {
  description = "Data action ids by endpoint name (what Architect's Call Data Action refers to)."
  value = {
${attributes(routes.map((r) => [JSON.stringify(r.name), `genesyscloud_integration_action.${resourceName(r.name)}.id`]), '    ')}
  }
}

output "trigger_ids" {
  description = "Trigger ids by event."
  value = {
${attributes(TRIGGERS.map((t) => [t.key, `genesyscloud_processautomation_trigger.${t.key}.id`]), '    ')}
  }
}

output "workflow_ids" {
  description = "The workflow each trigger starts: the generated one, or your *_workflow_id."
  value = {
${attributes(TRIGGERS.map((t) => [t.key, `var.${t.key}_workflow_id != null ? var.${t.key}_workflow_id : genesyscloud_flow.${flowResource(t)}[0].id`]), '    ')}
  }
}

output "example_flow_ids" {
  description = "The example in-queue and inbound flows (null unless example_queue_name is set) and the call-in flow (null unless example_call_in)."
  value = {
    in_queue = one(genesyscloud_flow.example_in_queue[*].id)
    inbound  = one(genesyscloud_flow.example_inbound[*].id)
    call_in  = one(genesyscloud_flow.example_call_in[*].id)
  }
}
`;
}

/** `substitutions = { ... }` of a flow file: defaults from variables, action names from the action resources. */
function substitutions(flow: FlowFile, flowName: string): string {
  const values: Record<string, string> = {
    flow_name: flowName,
    division: 'var.flows_division',
    default_language: 'var.flows_language',
    data_action_category: 'var.integration_name',
    queue_name: 'var.example_queue_name',
  };
  for (const [key, action] of Object.entries(flow.actions)) values[key] = `genesyscloud_integration_action.${resourceName(action)}.name`;
  const missing = flow.substitutions.filter((k) => !(k in values));
  if (missing.length > 0) throw new Error(`${flow.file}: no value for the substitutions ${missing.join(', ')}`);
  return attributes(flow.substitutions.map((k) => [k, values[k]!]), '    ');
}

function flowResourceTf(label: string, flow: FlowFile, flowName: string, count: string, comment: string): string {
  return `# ${comment}
resource "genesyscloud_flow" "${label}" {
  count = ${count}

  filepath          = "\${local.flows_dir}/${flow.file}"
  file_content_hash = filesha256("\${local.flows_dir}/${flow.file}")
  substitutions = {
${substitutions(flow, flowName)}
  }
}`;
}

function flowsTf(routes: ActionRoute[], flows: FlowFile[]): string {
  const byFile = new Map(flows.map((f) => [f.file, f]));
  const forwarding = TRIGGERS.map((t) =>
    flowResourceTf(
      flowResource(t),
      byFile.get(forwardingFile(routeOf(routes, t)))!,
      `"\${var.integration_name} - forward ${topicShort(t)}"`,
      `var.${t.key}_workflow_id == null ? 1 : 0`,
      `Workflow started by the ${topicShort(t)} trigger: Flow.jsonData (JSON) → ${t.action}.`,
    ),
  );
  const examples = [
    flowResourceTf('example_in_queue', flows.find((f) => f.type === 'inqueueCall')!, '"\${var.integration_name} - example in-queue"', 'var.example_queue_name == null ? 0 : 1', 'Example in-queue flow (set example_queue_name): immediate or scheduled callback offers.'),
    flowResourceTf('example_inbound', flows.find((f) => f.file === 'example-inbound-callback.yaml')!, '"\${var.integration_name} - example inbound"', 'var.example_queue_name == null ? 0 : 1', 'Example inbound flow (set example_queue_name): a scheduled callback when the queue cannot take the call.'),
    flowResourceTf('example_call_in', flows.find((f) => f.file === 'example-inbound-call-in.yaml')!, '"\${var.integration_name} - example call-in"', 'var.example_call_in ? 1 : 0', 'Example call-in flow (set example_call_in): asks for the access code, matches the call, routes it to its queue.'),
  ];
  return `${HEADER}
# Architect flows from ../flows/*.yaml (Archy YAML; {{...}} are these substitutions).
locals {
  flows_dir = var.flows_dir != null ? var.flows_dir : "\${path.module}/../flows"
}

${[...forwarding, ...examples].join('\n\n')}
`;
}

export function terraformFiles(routes: ActionRoute[], flows: FlowFile[]): Record<string, string> {
  const missing = TRIGGERS.filter((t) => !routes.some((r) => r.name === t.action));
  if (missing.length > 0) throw new Error(`triggers name actions that do not exist: ${missing.map((t) => t.action).join(', ')}`);
  const untriggered = eventRoutes(routes).filter((r) => !TRIGGERS.some((t) => t.action === r.name));
  if (untriggered.length > 0) throw new Error(`event endpoints without a trigger: ${untriggered.map((r) => r.name).join(', ')}`);
  return {
    'flows.tf': flowsTf(routes, flows),
    'versions.tf': versionsTf(),
    'variables.tf': variablesTf(),
    'main.tf': mainTf(),
    'actions.tf': `${HEADER}\n${routes.map(actionTf).join('\n\n')}\n`,
    'outputs.tf': outputsTf(routes),
    ...accessTerraformFiles(),
    'console.tf': consoleAppTf(),
  };
}
