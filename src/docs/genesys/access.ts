import { CreateCampaignBody } from '../../campaigns/schemas.js';
import { GATEWAY_PERMISSIONS, permissionPolicies } from '../../genesys/permissions.js';
import { GENERATED_NOTE } from './action.js';
import { attributes, hclString } from './hcl.js';

/**
 * The Terraform module's access and outbound parts (own files, own variables and outputs):
 * - access.tf: the engine's own Platform API access — a role with exactly the permissions the
 *   gateway uses (../../genesys/permissions.ts) and a client-credentials OAuth client bound to it;
 *   its id and secret are what GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET take.
 * - outbound.tf (seed 000, off by default): the agentless always-running campaign, its contact list
 *   (columns from the engine's campaign record) and a call-analysis response set, plus the body of
 *   the engine's campaign record (`POST /admin/v1/campaigns`) that points at them.
 * Resource attributes as documented for mypurecloud/genesyscloud v1.84.
 */

const HEADER = `# ${GENERATED_NOTE}\n`;

function accessTf(): string {
  const policies = permissionPolicies()
    .map(
      (p) => `  permission_policies {
${attributes(
  [
    ['domain', hclString(p.domain)],
    ['entity_name', hclString(p.entityName)],
    ['action_set', `[${p.actions.map(hclString).join(', ')}]`],
  ],
  '    ',
)}
  }`,
    )
    .join('\n');
  const why = GATEWAY_PERMISSIONS.map((p) => `#   ${p.permission.padEnd(38)} ${p.operation}`).join('\n');
  return `${HEADER}
# The engine's own access to the Platform API: set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET to the
# outputs engine_client_id and engine_client_secret (and GENESYS_REGION to the org's region).

variable "engine_access_enabled" {
  description = "Create the engine's role and OAuth client (false: you give the engine a client of your own)."
  type        = bool
  default     = true
}

variable "engine_client_name" {
  description = "Name of the engine's OAuth client (client credentials); its role has the same name."
  type        = string
  default     = "Callback Engine"
}

variable "engine_division_id" {
  description = "Division the role is granted in: that of the engine's queues (null: the home division; \\"*\\": every division)."
  type        = string
  default     = null
}

variable "engine_token_validity_seconds" {
  description = "Lifetime of the engine's access tokens (300-172800 s); the engine logs in again a minute before expiry."
  type        = number
  default     = 86400

  validation {
    condition     = var.engine_token_validity_seconds >= 300 && var.engine_token_validity_seconds <= 172800
    error_message = "engine_token_validity_seconds must be between 300 and 172800."
  }
}

data "genesyscloud_auth_division_home" "home" {}

# Exactly the permissions the engine's calls need (README: "Genesys Cloud and jobs"):
${why}
resource "genesyscloud_auth_role" "engine" {
  count = var.engine_access_enabled ? 1 : 0

  name        = var.engine_client_name
  description = "Platform API access of the callback engine. Managed by Terraform (generated module)."
${policies}
}

resource "genesyscloud_oauth_client" "engine" {
  count = var.engine_access_enabled ? 1 : 0

  name                          = var.engine_client_name
  description                   = "The callback engine's own client (GENESYS_CLIENT_ID). Managed by Terraform (generated module)."
  authorized_grant_type         = "CLIENT-CREDENTIALS"
  access_token_validity_seconds = var.engine_token_validity_seconds
  state                         = "active"
  # The secret is in the Terraform state: keep the state encrypted, or set this module's
  # engine_access_enabled = false and create the client by hand.
  expose_client_secret = true

  roles {
    role_id     = genesyscloud_auth_role.engine[0].id
    division_id = coalesce(var.engine_division_id, data.genesyscloud_auth_division_home.home.id)
  }
}

output "engine_role_id" {
  description = "The engine's role (null when engine_access_enabled is false)."
  value       = one(genesyscloud_auth_role.engine[*].id)
}

output "engine_client_id" {
  description = "GENESYS_CLIENT_ID of the engine (null when engine_access_enabled is false)."
  value       = one(genesyscloud_oauth_client.engine[*].client_id)
}

output "engine_client_secret" {
  description = "GENESYS_CLIENT_SECRET of the engine: terraform output -raw engine_client_secret."
  value       = one(genesyscloud_oauth_client.engine[*].client_secret)
  sensitive   = true
}
`;
}

/**
 * The engine's campaign record, as `POST /admin/v1/campaigns` takes it, in HCL terms. Keys must be
 * properties of CreateCampaignBody (checked here and in the tests).
 */
export const ENGINE_CAMPAIGN_RECORD: Record<string, string> = {
  name: 'var.outbound_campaign_name',
  queueId: 'var.outbound_engine_queue_id',
  contactListId: 'one(genesyscloud_outbound_contact_list.callbacks[*].id)',
  phoneColumn: 'var.outbound_phone_column',
  nameColumn: 'var.outbound_name_column',
  extraColumns: 'var.outbound_extra_columns',
};

function outboundTf(): string {
  const known = Object.keys(CreateCampaignBody.properties);
  const unknown = Object.keys(ENGINE_CAMPAIGN_RECORD).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`the engine's campaign record has no ${unknown.join(', ')}`);
  return `${HEADER}
# Seed 000 (optional): an agentless, always-running campaign whose contact list the engine fills
# (POST /actions/v1/campaign-callbacks adds a contact after the requested delay). Off by default.
# Then create the engine's campaign record with the output engine_campaign_body:
#   curl -X POST "$BASE_URL/admin/v1/campaigns" -H "Authorization: Bearer $ADMIN_TOKEN" \\
#     -H 'Content-Type: application/json' -d "$(terraform output -raw engine_campaign_body)"

variable "outbound_enabled" {
  description = "Create the contact list, call-analysis response set and agentless campaign (seed 000)."
  type        = bool
  default     = false
}

variable "outbound_campaign_name" {
  description = "Name of the campaign in Genesys and of the engine's campaign record (flows pass it as campaign)."
  type        = string
  default     = "Automated callbacks"
}

variable "outbound_phone_column" {
  description = "Contact list column the engine writes the E.164 number to and the campaign dials."
  type        = string
  default     = "PhoneNumber"
}

variable "outbound_name_column" {
  description = "Column the engine writes the customer's name to (null: none)."
  type        = string
  default     = "FullName"
}

variable "outbound_extra_columns" {
  description = "Further columns, each with the fixed value the engine writes to every contact."
  type        = map(string)
  default     = {}
}

variable "outbound_engine_queue_id" {
  description = "The engine's queue (its id in the engine, not Genesys') the campaign record belongs to (null: unrestricted clients only)."
  type        = string
  default     = null
}

variable "outbound_division_id" {
  description = "Division of the contact list and campaign (null: the home division)."
  type        = string
  default     = null
}

variable "outbound_caller_name" {
  description = "Caller id name shown on the campaign's calls."
  type        = string
  default     = "Callback"
}

variable "outbound_caller_address" {
  description = "Caller id number (E.164) shown on the campaign's calls (required when outbound_enabled)."
  type        = string
  default     = null
}

variable "outbound_site_id" {
  description = "Site that places the calls (set this or outbound_edge_group_id)."
  type        = string
  default     = null
}

variable "outbound_edge_group_id" {
  description = "Edge group that places the calls (set this or outbound_site_id)."
  type        = string
  default     = null
}

variable "outbound_line_count" {
  description = "Lines the campaign dials at once."
  type        = number
  default     = 1
}

variable "outbound_flow_id" {
  description = "Outbound call flow a live person is transferred to (e.g. into the agents' queue); required when outbound_enabled."
  type        = string
  default     = null
}

variable "outbound_flow_name" {
  description = "That flow's name."
  type        = string
  default     = null
}

variable "outbound_campaign_status" {
  description = "on: dial as soon as contacts arrive (always running); off: created stopped."
  type        = string
  default     = "on"

  validation {
    condition     = contains(["on", "off"], var.outbound_campaign_status)
    error_message = "outbound_campaign_status must be on or off."
  }
}

locals {
  outbound_columns = distinct(concat(
    [var.outbound_phone_column],
    var.outbound_name_column == null ? [] : [var.outbound_name_column],
    sort(keys(var.outbound_extra_columns)),
  ))
}

resource "genesyscloud_outbound_contact_list" "callbacks" {
  count = var.outbound_enabled ? 1 : 0

  name         = "\${var.outbound_campaign_name} contacts"
  division_id  = var.outbound_division_id
  column_names = local.outbound_columns

  phone_columns {
    column_name = var.outbound_phone_column
    type        = "cell"
  }
}

# A live person goes to the outbound flow; answering machines and everything else hang up.
resource "genesyscloud_outbound_callanalysisresponseset" "callbacks" {
  count = var.outbound_enabled ? 1 : 0

  name                   = "\${var.outbound_campaign_name} call analysis"
  beep_detection_enabled = false

  responses {
    callable_person {
      reaction_type = "transfer_flow"
      data          = var.outbound_flow_id
      name          = var.outbound_flow_name
    }
    callable_machine {
      reaction_type = "hangup"
    }
  }

  lifecycle {
    precondition {
      condition     = var.outbound_flow_id != null && var.outbound_flow_name != null
      error_message = "outbound_enabled needs outbound_flow_id and outbound_flow_name (the flow a live person is transferred to)."
    }
  }
}

resource "genesyscloud_outbound_campaign" "callbacks" {
  count = var.outbound_enabled ? 1 : 0

  name                          = var.outbound_campaign_name
  division_id                   = var.outbound_division_id
  dialing_mode                  = "agentless"
  always_running                = true
  campaign_status               = var.outbound_campaign_status
  contact_list_id               = genesyscloud_outbound_contact_list.callbacks[0].id
  call_analysis_response_set_id = genesyscloud_outbound_callanalysisresponseset.callbacks[0].id
  caller_name                   = var.outbound_caller_name
  caller_address                = var.outbound_caller_address
  outbound_line_count           = var.outbound_line_count
  site_id                       = var.outbound_site_id
  edge_group_id                 = var.outbound_edge_group_id

  phone_columns {
    column_name = var.outbound_phone_column
  }

  lifecycle {
    precondition {
      condition     = var.outbound_caller_address != null
      error_message = "outbound_enabled needs outbound_caller_address."
    }
    precondition {
      condition     = (var.outbound_site_id == null) != (var.outbound_edge_group_id == null)
      error_message = "outbound_enabled needs exactly one of outbound_site_id and outbound_edge_group_id."
    }
  }
}

output "outbound_contact_list_id" {
  description = "The campaign's contact list (null when outbound_enabled is false)."
  value       = one(genesyscloud_outbound_contact_list.callbacks[*].id)
}

output "outbound_campaign_id" {
  description = "The agentless campaign (null when outbound_enabled is false)."
  value       = one(genesyscloud_outbound_campaign.callbacks[*].id)
}

output "engine_campaign_body" {
  description = "Body of POST /admin/v1/campaigns for the engine's campaign record (null when outbound_enabled is false)."
  value = var.outbound_enabled ? jsonencode({
${attributes(
  Object.entries(ENGINE_CAMPAIGN_RECORD).map(([k, v]) => [k, v]),
  '    ',
)}
  }) : null
}
`;
}

/** Files of the Terraform module this part adds (registered in terraformFiles). */
export function accessTerraformFiles(): Record<string, string> {
  return { 'access.tf': accessTf(), 'outbound.tf': outboundTf() };
}

/** The terraform README's part about access.tf and outbound.tf. */
export function accessReadme(): string {
  const permissions = GATEWAY_PERMISSIONS.map((p) => `| \`${p.permission}\` | \`${p.operation}\` | ${p.why} |`).join('\n');
  return `
## The engine's own Genesys access (\`access.tf\`)

\`genesyscloud_auth_role.engine\` with exactly the permissions of the Platform API calls the engine
makes, and \`genesyscloud_oauth_client.engine\` (client credentials) holding that role in
\`engine_division_id\` (null: the home division; \`"*"\`: every division; use the division of the
engine's queues). Set the engine's \`GENESYS_CLIENT_ID\` and \`GENESYS_CLIENT_SECRET\` to the outputs
\`engine_client_id\` and \`terraform output -raw engine_client_secret\` (the secret is kept in the
Terraform state: \`expose_client_secret\`; with \`engine_access_enabled = false\` nothing is created
and you give the engine a client of your own with these permissions). \`GET /readyz\` then reports
\`genesys: ok\`, or \`rejected\` when the credential does not work. The provider documents that the
roles a client-credentials client gets "must also already be assigned to the OAuth Client used by
Terraform": run it with a client that holds these permissions (e.g. an admin role).

| permission | call | why |
|---|---|---|
${permissions}

Variables: \`engine_access_enabled\` (true), \`engine_client_name\` (also the role's name),
\`engine_division_id\`, \`engine_token_validity_seconds\` (86400). Outputs: \`engine_role_id\`,
\`engine_client_id\`, \`engine_client_secret\` (sensitive).

## Seed 000: the agentless campaign (\`outbound.tf\`, off by default)

With \`outbound_enabled\` set to \`true\`: a contact list (columns \`outbound_phone_column\`,
\`outbound_name_column\` and the keys of \`outbound_extra_columns\`: what the engine writes), a
call-analysis response set (a live person → transfer to the outbound flow \`outbound_flow_id\` /
\`outbound_flow_name\`; a machine → hang up) and an agentless, always-running campaign dialing the phone
column (\`outbound_caller_address\`, and \`outbound_site_id\` or \`outbound_edge_group_id\`, are required;
\`outbound_campaign_status\` \`on\` by default). The output \`engine_campaign_body\` is the body of
\`POST /admin/v1/campaigns\` for the engine's campaign record on that contact list:

\`\`\`sh
curl -X POST "$BASE_URL/admin/v1/campaigns" -H "Authorization: Bearer $ADMIN_TOKEN" \\
  -H 'Content-Type: application/json' -d "$(terraform output -raw engine_campaign_body)"
\`\`\`

Flows then call \`campaign-callbacks\` with \`campaign\` = \`outbound_campaign_name\`. Other variables:
\`outbound_engine_queue_id\` (the engine queue the record belongs to), \`outbound_division_id\`,
\`outbound_caller_name\`, \`outbound_line_count\`. Outputs: \`outbound_contact_list_id\`,
\`outbound_campaign_id\`, \`engine_campaign_body\`.

Seed 004 (preview retries) needs no Genesys data table: the engine holds the retry policy (wrap-up
code → wait, \`/admin/v1/retry-policies\`) and reads the wrap-up from the contact list.
`;
}
