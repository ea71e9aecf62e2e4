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
import { attributes, hclString, hclTemplate, hclValue } from './hcl.js';

/**
 * A Terraform module (provider `mypurecloud/genesyscloud`) that creates the integration, its
 * User Defined (OAuth) credential, the Custom Auth action, one data action per endpoint and the
 * trigger examples. Same templates and contracts as the JSON exports; the base URL is a variable.
 */

const HEADER = `# ${GENERATED_NOTE}\n`;
export const resourceName = (name: string) => name.replaceAll('-', '_');

/** The triggers the event endpoints expect: which workflow forwards which event. */
export const TRIGGERS = [
  {
    key: 'acd_start',
    topic: 'v2.detail.events.conversation.{id}.acd.start',
    action: 'conversation-acd-start',
    description: 'Callbacks entering a queue: start priority aging',
    criteria: [{ jsonPath: 'mediaType', operator: 'Equal', value: 'CALLBACK' }],
  },
  {
    key: 'acd_end',
    topic: 'v2.detail.events.conversation.{id}.acd.end',
    action: 'conversation-acd-end',
    description: 'Callbacks leaving a queue: stop aging, answered or abandoned',
    criteria: [{ jsonPath: 'mediaType', operator: 'Equal', value: 'CALLBACK' }],
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
  },
] as const;

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

variable "acd_start_workflow_id" {
  description = "Workflow that forwards acd.start events to the conversation-acd-start action (null: no trigger)."
  type        = string
  default     = null
}

variable "acd_end_workflow_id" {
  description = "Workflow that forwards acd.end events to the conversation-acd-end action (null: no trigger)."
  type        = string
  default     = null
}

variable "user_end_workflow_id" {
  description = "Workflow that forwards user.end events to the conversation-user-end action (null: no trigger)."
  type        = string
  default     = null
}

variable "trigger_data_format" {
  description = "How triggers hand events to the workflows: Json (the whole event in Flow.jsonData; keeps callbackNumbers) or TopLevelPrimitives."
  type        = string
  default     = "Json"

  validation {
    condition     = contains(["Json", "TopLevelPrimitives"], var.trigger_data_format)
    error_message = "trigger_data_format must be Json or TopLevelPrimitives."
  }
}

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
`;
}

function mainTf(): string {
  const auth = customAuthConfig();
  const req = auth.request as { requestUrlTemplate: string; requestType: string; requestTemplate: string; headers: Record<string, string> };
  const res = auth.response as { translationMap: Record<string, string>; successTemplate: string };
  const triggers = TRIGGERS.map(
    (t) => `resource "genesyscloud_processautomation_trigger" "${t.key}" {
  count = var.${t.key}_workflow_id == null ? 0 : 1

  name              = "\${var.integration_name} - ${t.topic.split('.').slice(-2).join('.')}"
  description       = ${hclString(t.description)}
  topic_name        = ${hclString(t.topic)}
  enabled           = var.triggers_enabled
  event_ttl_seconds = var.trigger_event_ttl_seconds
  match_criteria = jsonencode(${hclValue(t.criteria, '  ')})

  target {
    id   = var.${t.key}_workflow_id
    type = "Workflow"
    workflow_target_settings {
      data_format = var.trigger_data_format
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

# Trigger examples (created when their workflow id is set). Each workflow takes the event and calls
# the matching data action with it (data format Json: pass Flow.jsonData as jsonData).
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
  description = "Trigger ids (null when its workflow id is not set)."
  value = {
${attributes(TRIGGERS.map((t) => [t.key, `one(genesyscloud_processautomation_trigger.${t.key}[*].id)`]), '    ')}
  }
}
`;
}

export function terraformFiles(routes: ActionRoute[]): Record<string, string> {
  const missing = TRIGGERS.filter((t) => !routes.some((r) => r.name === t.action));
  if (missing.length > 0) throw new Error(`trigger examples name actions that do not exist: ${missing.map((t) => t.action).join(', ')}`);
  return {
    'versions.tf': versionsTf(),
    'variables.tf': variablesTf(),
    'main.tf': mainTf(),
    'actions.tf': `${HEADER}\n${routes.map(actionTf).join('\n\n')}\n`,
    'outputs.tf': outputsTf(routes),
    ...accessTerraformFiles(),
  };
}
