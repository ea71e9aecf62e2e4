import { GENERATED_NOTE } from './action.js';

/**
 * console.tf: the operator console inside the Genesys Cloud UI, as a client app integration
 * (`embedded-client-app`, a standalone app in the Apps menu) opening `<base_url>/console/`.
 * Properties as the developer center documents them for client apps (url, sandbox, displayType,
 * featureCategory, groups); resource attributes as documented for mypurecloud/genesyscloud v1.84.
 */

const HEADER = `# ${GENERATED_NOTE}\n`;

/** What the frame may do: scripts, forms and dialogs of the console, same-origin API calls, the Genesys sign-in window, CSV downloads. */
export const CONSOLE_APP_SANDBOX = ['allow-scripts', 'allow-same-origin', 'allow-forms', 'allow-modals', 'allow-popups', 'allow-downloads'];

export function consoleAppTf(): string {
  return `${HEADER}
# The operator console in the Genesys Cloud UI (Apps menu), off by default. The service lets only the
# Genesys Cloud UI of its region frame /console (Content-Security-Policy frame-ancestors 'self'
# https://apps.<GENESYS_REGION or GENESYS_LOGIN_REGION>, plus CONSOLE_FRAME_ANCESTORS); every other page
# refuses framing. Inside the frame the session cookie is third-party: run the service with
# CONSOLE_COOKIE_SAMESITE=none (HTTPS only), or people sign in in a tab of their own.

variable "console_app_enabled" {
  description = "Create the client app integration that opens the console in the Genesys Cloud UI."
  type        = bool
  default     = false
}

variable "console_app_name" {
  description = "Name of the app in the Genesys Cloud Apps menu."
  type        = string
  default     = "Callback Console"
}

variable "console_app_group_ids" {
  description = "Genesys groups whose members see the app (empty: everyone)."
  type        = list(string)
  default     = []
}

resource "genesyscloud_integration" "console" {
  count = var.console_app_enabled ? 1 : 0

  intended_state   = "ENABLED"
  integration_type = "embedded-client-app"
  config {
    name = var.console_app_name
    properties = jsonencode(merge({
      url             = "\${local.base_url}/console/"
      sandbox         = "${CONSOLE_APP_SANDBOX.join(',')}"
      displayType     = "standalone"
      featureCategory = ""
    }, length(var.console_app_group_ids) > 0 ? { groups = var.console_app_group_ids } : {}))
    advanced = jsonencode({})
    notes    = "The callback engine's operator console. Managed by Terraform (generated module)."
  }
}

output "console_app_integration_id" {
  description = "The console's client app integration (null when console_app_enabled is false)."
  value       = one(genesyscloud_integration.console[*].id)
}
`;
}

export function consoleAppReadme(): string {
  return `
## The console inside Genesys Cloud (\`console.tf\`, off by default)

With \`console_app_enabled = true\`: \`genesyscloud_integration.console\`, a client app integration
(\`embedded-client-app\`, standalone) named \`console_app_name\` that opens \`base_url\` + \`/console/\` in
the Genesys Cloud UI, for the members of \`console_app_group_ids\` (empty: everyone), sandboxed to
\`${CONSOLE_APP_SANDBOX.join(',')}\`. The service allows exactly the Genesys Cloud UI of its region to frame
\`/console\` (set \`GENESYS_REGION\` or \`GENESYS_LOGIN_REGION\`; more origins with \`CONSOLE_FRAME_ANCESTORS\`)
and needs \`CONSOLE_COOKIE_SAMESITE=none\` to keep its session in the frame. Output:
\`console_app_integration_id\`.
`;
}
