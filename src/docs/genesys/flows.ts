import { stringify } from 'yaml';
import { ACTION_NAME_PREFIX, ACTION_TIMEOUT_SECONDS, GENERATED_NOTE, type ActionRoute } from './action.js';

/**
 * Architect flows as Archy YAML (the format `genesyscloud_flow` deploys, and the one the
 * GenesysCloudBlueprints repositories ship): one forwarding workflow per event endpoint, which a
 * trigger starts with the event in `Flow.jsonData`, and two small example flows that use the data
 * actions. Names that depend on the org are `{{substitutions}}` (replaced by `genesyscloud_flow`
 * before Archy reads the file); `FLOW_DEFAULTS` holds what the Terraform module passes by default.
 */

type Yaml = Record<string, unknown>;

/** Values for the substitutions when nothing else is set (the Terraform module's defaults). */
export const FLOW_DEFAULTS = {
  division: 'Home',
  default_language: 'en-us',
  data_action_category: 'Callback Engine',
} as const;

/** The Architect expression that turns the trigger's JSON event into text for our `jsonData` input. */
export const JSON_TO_TEXT = 'ToString(Flow.jsonData)';

const sub = (name: string) => `{{${name}}}`;
const lit = (value: unknown) => ({ lit: value });
const exp = (value: string) => ({ exp: value });
const noValue = { noValue: true };
const tts = (text: string) => ({ tts: text });
/** A Genesys string literal inside an expression. */
const str = (text: string) => JSON.stringify(text);

/** `callData` with its three paths: Success, Failure, Timeout (each a list of actions, possibly empty). */
function callData(opts: {
  name: string;
  action: string;
  inputs: Record<string, { lit: unknown } | { exp: string }>;
  outputs?: Record<string, string>;
  success: Yaml[];
  failure: Yaml[];
  timeout: Yaml[];
  processingPrompt?: boolean;
}): Yaml {
  const paths: Yaml = {};
  for (const [path, actions] of [['success', opts.success], ['failure', opts.failure], ['timeout', opts.timeout]] as const) {
    if (actions.length > 0) paths[path] = { actions };
  }
  return {
    callData: {
      name: opts.name,
      ...(opts.processingPrompt === false ? { processingPrompt: noValue } : {}),
      timeout: lit({ seconds: ACTION_TIMEOUT_SECONDS + 5 }),
      category: {
        [sub('data_action_category')]: {
          dataAction: {
            [sub(opts.action)]: {
              inputs: opts.inputs,
              ...(opts.outputs ? { successOutputs: Object.fromEntries(Object.entries(opts.outputs).map(([k, v]) => [k, { var: v }])) } : {}),
            },
          },
        },
      },
      ...(Object.keys(paths).length > 0 ? { outputs: paths } : {}),
    },
  };
}

const decision = (name: string, condition: string, yes: Yaml[], no: Yaml[]): Yaml => ({
  decision: {
    name,
    condition: exp(condition),
    outputs: { ...(yes.length > 0 ? { yes: { actions: yes } } : {}), ...(no.length > 0 ? { no: { actions: no } } : {}) },
  },
});

const updateData = (name: string, statements: Yaml[]): Yaml => ({ updateData: { name, statements } });
const playAudio = (name: string, audio: Yaml): Yaml => ({ playAudio: { name, audio } });
const endWorkflow = (reason: string): Yaml => ({ endWorkflow: { name: `End: ${reason}`, exitReason: lit(reason) } });

function header(kind: string, what: string): string {
  return `# ${GENERATED_NOTE}\n# ${kind}: ${what}\n# Names in double curly braces are substitutions: genesyscloud_flow replaces them (../terraform/flows.tf).\n`;
}

// YAML 1.1 output quotes "yes" and "no" (decision paths), which a 1.1 reader would take for booleans.
const toYaml = (doc: Yaml) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' });

/** Substitution names each flow file expects, by file. */
export interface FlowFile {
  file: string;
  /** Archy's top-level key: the flow type. */
  type: 'workflow' | 'inqueueCall' | 'inboundCall';
  substitutions: string[];
  /** The action substitution names and the endpoint each one must name. */
  actions: Record<string, string>;
  content: string;
}

export const forwardingFile = (route: ActionRoute) => `forward-${route.name}.yaml`;

/**
 * The workflow a trigger starts: input `Flow.jsonData` (JSON, what data format `Json` hands over),
 * one Call Data Action passing it as text to our `jsonData` input, and every path ends the workflow.
 */
export function forwardingWorkflow(route: ActionRoute): FlowFile {
  const start = 'Forward the event_10';
  const doc = {
    workflow: {
      name: sub('flow_name'),
      description: `Forwards the trigger's event to POST ${route.path} (action ${ACTION_NAME_PREFIX}${route.name}).`,
      division: sub('division'),
      startUpRef: `/workflow/states/state[${start}]`,
      defaultLanguage: sub('default_language'),
      supportedLanguages: { 'en-us': { none: true } },
      variables: [
        { jsonVariable: { name: 'Flow.jsonData', initialValue: noValue, isInput: true, isOutput: false } },
        { stringVariable: { name: 'Flow.engineAction', initialValue: noValue, isInput: false, isOutput: true } },
      ],
      settingsErrorHandling: { errorHandling: { endWorkflow: { none: true } } },
      states: [
        {
          state: {
            name: 'Forward the event',
            refId: start,
            actions: [
              decision(
                'Is there an event?',
                'IsSet(Flow.jsonData)',
                [
                  callData({
                    name: `Call ${route.name}`,
                    action: 'data_action_name',
                    inputs: { jsonData: exp(JSON_TO_TEXT) },
                    outputs: { action: 'Flow.engineAction' },
                    success: [endWorkflow('Forwarded')],
                    failure: [endWorkflow('Failure')],
                    timeout: [endWorkflow('Timeout')],
                  }),
                ],
                [endWorkflow('NoEvent')],
              ),
              endWorkflow('Done'),
            ],
          },
        },
      ],
    },
  };
  return {
    file: forwardingFile(route),
    type: 'workflow',
    substitutions: ['flow_name', 'division', 'default_language', 'data_action_category', 'data_action_name'],
    actions: { data_action_name: route.name },
    content: header('Workflow', `forward trigger events to ${route.path}`) + toYaml(doc),
  };
}

/** The actions the example flows call, by substitution name. */
const EXAMPLE_ACTIONS = {
  queue_status_action: 'queue-status',
  availability_action: 'availability',
  create_action: 'callbacks-create',
} as const;
const EXAMPLE_SUBSTITUTIONS = ['flow_name', 'division', 'default_language', 'data_action_category', 'queue_name', ...Object.keys(EXAMPLE_ACTIONS)];

const CONFIRM = 'Thank you. We will call you back.';
const SORRY = 'Sorry, we could not book a callback.';

/** A booking through `callbacks-create`: CREATED or DUPLICATE are booked; anything else, or Failure/Timeout, runs `otherwise`. */
function book(name: string, inputs: Record<string, { lit: unknown } | { exp: string }>, booked: Yaml[], otherwise: Yaml[]): Yaml {
  return callData({
    name,
    action: 'create_action',
    inputs: {
      queue: lit(sub('queue_name')),
      phoneNumber: exp('Call.Ani'),
      customerName: exp('Call.RemoteName'),
      conversationId: exp('Call.ConversationId'),
      idempotencyKey: exp('Call.ConversationId'),
      ...inputs,
    },
    outputs: { outcome: 'Task.outcome', scheduledTimeLocal: 'Task.scheduledTimeLocal' },
    success: [decision('Booked?', 'Task.outcome == "CREATED" or Task.outcome == "DUPLICATE"', booked, otherwise)],
    failure: otherwise,
    timeout: otherwise,
  });
}

/** Collects exactly `digits` keys into `variable` after `prompt` (an expression); `success` runs on an entry. */
function collectDigits(name: string, variable: string, digits: number, prompt: string, success?: Yaml[]): Yaml {
  return {
    collectInput: {
      name,
      inputData: { var: variable },
      digits: { exact: digits },
      interDigitTimeout: noValue,
      noEntryTimeout: noValue,
      inputAudio: exp(`AudioPlaybackOptions(ToAudioTTS(${prompt}), true)`),
      acceptJustStar: lit(false),
      acceptJustPound: lit(false),
      ...(success ? { outputs: { success: { actions: success } } } : {}),
      verificationType: 'none',
    },
  };
}

/** Press 1, then `then`; any other key or none runs nothing (the flow goes on). */
function pressOne(name: string, prompt: string, then: Yaml[]): Yaml {
  return collectDigits(name, 'Task.choice', 1, prompt, [decision('Pressed 1?', 'Task.choice == "1"', then, [])]);
}

/**
 * `availability` → read out `firstSlotSpoken` → press 1 → `callbacks-create` with that slot and
 * `acceptNearest` (if the slot was taken meanwhile, the nearest free one is booked).
 */
function scheduledOffer(booked: Yaml[], otherwise: Yaml[]): Yaml {
  return callData({
    name: 'Next free slot',
    action: 'availability_action',
    inputs: { queue: lit(sub('queue_name')), maxSlots: lit(1) },
    outputs: { slotCount: 'Task.slotCount', firstSlot: 'Task.firstSlot', firstSlotSpoken: 'Task.firstSlotSpoken' },
    success: [
      decision(
        'Any slot?',
        'Task.slotCount > 0',
        [
          pressOne('Offer the slot', `"We can call you back on " + Task.firstSlotSpoken + ". Press 1 to book it."`, [
            book('Book the slot', { desiredTime: exp('Task.firstSlot'), acceptNearest: lit(true) }, booked, otherwise),
          ]),
        ],
        [],
      ),
    ],
    failure: [],
    timeout: [],
  });
}

const TASK_VARIABLES = [
  { booleanVariable: { name: 'Task.offerImmediate', initialValue: lit(false) } },
  { booleanVariable: { name: 'Task.offerScheduled', initialValue: lit(false) } },
  { integerVariable: { name: 'Task.slotCount', initialValue: lit(0) } },
  { stringVariable: { name: 'Task.firstSlot', initialValue: noValue } },
  { stringVariable: { name: 'Task.firstSlotSpoken', initialValue: noValue } },
  { stringVariable: { name: 'Task.choice', initialValue: noValue } },
  { stringVariable: { name: 'Task.outcome', initialValue: noValue } },
  { stringVariable: { name: 'Task.scheduledTimeLocal', initialValue: noValue } },
];

const queueStatus = (success: Yaml[], failure: Yaml[]) =>
  callData({
    name: 'Queue status',
    action: 'queue_status_action',
    inputs: { queue: lit(sub('queue_name')) },
    outputs: { offerImmediate: 'Task.offerImmediate', offerScheduled: 'Task.offerScheduled' },
    success,
    failure,
    timeout: failure,
  });

const goodbye = (text: string): Yaml[] => [playAudio('Confirm', exp(`AudioPlaybackOptions(ToAudioTTS(${text}), true)`)), { disconnect: { name: 'Disconnect' } }];

/**
 * In-queue flow: `queue-status` once per call; an immediate callback if offered, else a scheduled
 * one; Failure, Timeout and every "no" keep the caller in queue with hold music.
 */
export function exampleInQueueFlow(): FlowFile {
  const booked = goodbye(`${str(CONFIRM)}`);
  const sorry = [playAudio('Sorry', tts(`${SORRY} Please stay on the line.`))];
  const doc = {
    inqueueCall: {
      name: sub('flow_name'),
      description: 'Example: offers a callback to callers waiting in queue (callback engine data actions).',
      division: sub('division'),
      defaultLanguage: sub('default_language'),
      supportedLanguages: { 'en-us': { defaultLanguageSkill: noValue } },
      variables: [{ booleanVariable: { name: 'Flow.offered', initialValue: lit(false) } }, ...TASK_VARIABLES.map((v) => renameScope(v, 'Flow'))],
      settingsInQueueCall: { holdMusic: lit({ name: 'PromptSystem.on_hold_music' }) },
      settingsErrorHandling: { errorHandling: { queue: { targetQueue: lit({ name: sub('queue_name') }) } } },
      startUpTaskActions: renameScope(
        [
          decision(
            'Offered already?',
            'Flow.offered',
            [],
            [
              updateData('Offer once', [{ boolean: { variable: 'Flow.offered', value: lit(true) } }]),
              queueStatus(
                [
                  decision(
                    'Immediate callback?',
                    'Task.offerImmediate',
                    [pressOne('Offer a callback', str('Press 1 and we will call you back as soon as an agent is free.'), [book('Book now', {}, booked, sorry)])],
                    [decision('Scheduled callback?', 'Task.offerScheduled', [scheduledOffer(booked, sorry)], [])],
                  ),
                ],
                [],
              ),
            ],
          ),
          { holdMusic: { name: 'Hold music', prompt: lit({ name: 'PromptSystem.on_hold_music' }), bargeInEnabled: lit(false), playStyle: { entirePrompt: true } } },
        ],
        'Flow',
      ),
    },
  };
  return {
    file: 'example-in-queue-callback.yaml',
    type: 'inqueueCall',
    substitutions: EXAMPLE_SUBSTITUTIONS,
    actions: EXAMPLE_ACTIONS,
    content: header('In-queue call flow (example)', 'offer an immediate or a scheduled callback while the caller waits') + toYaml(doc),
  };
}

/**
 * An inbound call flow of one task ("Main"): the flows' substitutions, a greeting, disconnect on error,
 * and the task's variables and actions.
 */
function inboundCallFlow(description: string, variables: Yaml[], actions: Yaml[]): Yaml {
  const start = 'Main_10';
  return {
    inboundCall: {
      name: sub('flow_name'),
      description,
      division: sub('division'),
      startUpRef: `/inboundCall/tasks/task[${start}]`,
      defaultLanguage: sub('default_language'),
      supportedLanguages: { 'en-us': { defaultLanguageSkill: noValue } },
      initialGreeting: tts('Thank you for calling.'),
      settingsErrorHandling: { errorHandling: { disconnect: { none: true } }, preHandlingAudio: tts('Sorry, an error occurred. Please try your call again.') },
      tasks: [{ task: { name: 'Main', refId: start, variables, actions } }],
    },
  };
}

/**
 * Inbound call flow: when the queue offers only scheduled callbacks (closed, or too busy), book one
 * for the next free slot; otherwise, and on Failure or Timeout, transfer to the queue.
 */
export function exampleInboundFlow(): FlowFile {
  const toQueue: Yaml = {
    transferToAcd: {
      name: 'To the queue',
      targetQueue: lit({ name: sub('queue_name') }),
      preTransferAudio: tts('Please hold for the next available agent.'),
      failureTransferAudio: tts('Sorry, we cannot take your call now. Please call again later.'),
    },
  };
  const doc = inboundCallFlow('Example: books a scheduled callback when the queue cannot take the call now (callback engine data actions).', TASK_VARIABLES, [
    queueStatus(
      [
        decision(
          'Only a scheduled callback?',
          'not Task.offerImmediate and Task.offerScheduled',
          [scheduledOffer(goodbye(str(CONFIRM)), [playAudio('Sorry', tts(SORRY))])],
          [],
        ),
      ],
      [],
    ),
    toQueue,
    { disconnect: { name: 'Disconnect' } },
  ]);
  return {
    file: 'example-inbound-callback.yaml',
    type: 'inboundCall',
    substitutions: EXAMPLE_SUBSTITUTIONS,
    actions: EXAMPLE_ACTIONS,
    content: header('Inbound call flow (example)', 'book a scheduled callback when the queue cannot take the call now') + toYaml(doc),
  };
}

/** The action the example call-in flow calls, by substitution name. */
const CALL_IN_ACTIONS = { match_action: 'call-in-match' } as const;
/** The code length the example asks for: the groups' default (a group with another length needs the flow edited). */
export const EXAMPLE_CODE_LENGTH = 6;

/**
 * Inbound call flow for Click-To-Call-In: asks for the access code, passes the dialed number, the
 * caller's number and the code to `call-in-match`, and on a match transfers to the queue the match
 * names (its Genesys id) with the callback's priority; no match, Failure and Timeout apologise and
 * disconnect.
 */
export function exampleCallInFlow(): FlowFile {
  const sorry = [playAudio('No match', tts('Sorry, we could not find your request. Please ask for a new number in the app.')), { disconnect: { name: 'Disconnect' } }];
  const toQueue: Yaml = {
    transferToAcd: {
      name: 'To the request’s queue',
      targetQueue: exp('FindQueueById(Task.genesysQueueId)'),
      priority: exp('Task.priority'),
      preTransferAudio: tts('Thank you. An agent will be with you shortly.'),
      failureTransferAudio: tts('Sorry, we cannot take your call now. Please call again later.'),
    },
  };
  const doc = inboundCallFlow(
    'Example: matches a call-in to its request (callback engine call-in-match) and routes it with the request’s queue and priority.',
    [
      { stringVariable: { name: 'Task.code', initialValue: noValue } },
      { booleanVariable: { name: 'Task.matched', initialValue: lit(false) } },
      { stringVariable: { name: 'Task.genesysQueueId', initialValue: noValue } },
      { integerVariable: { name: 'Task.priority', initialValue: lit(0) } },
    ],
    [
      collectDigits('Ask for the code', 'Task.code', EXAMPLE_CODE_LENGTH, str(`Please enter your ${EXAMPLE_CODE_LENGTH}-digit access code.`)),
      callData({
        name: 'Match the call',
        action: 'match_action',
        inputs: { dialedNumber: exp('Call.CalledAddress'), callerNumber: exp('Call.Ani'), accessCode: exp('Task.code') },
        outputs: { matched: 'Task.matched', genesysQueueId: 'Task.genesysQueueId', priority: 'Task.priority' },
        success: [decision('Matched?', 'Task.matched and not IsNotSetOrEmpty(Task.genesysQueueId)', [toQueue], [])],
        failure: [],
        timeout: [],
      }),
      ...sorry,
    ],
  );
  return {
    file: 'example-inbound-call-in.yaml',
    type: 'inboundCall',
    substitutions: ['flow_name', 'division', 'default_language', 'data_action_category', ...Object.keys(CALL_IN_ACTIONS)],
    actions: CALL_IN_ACTIONS,
    content: header('Inbound call flow (example)', 'match a call-in to its request by dialed number, caller and access code; route it to its queue with its priority') + toYaml(doc),
  };
}

/** In-queue flows have no task variables: the same names live at flow level there. */
function renameScope<T>(value: T, scope: 'Flow'): T {
  return JSON.parse(JSON.stringify(value).replaceAll('Task.', `${scope}.`)) as T;
}

/** Every flow file, for the event routes given (one forwarding workflow each) and the examples. */
export function flowFiles(routes: ActionRoute[]): FlowFile[] {
  const missing = [...Object.values(EXAMPLE_ACTIONS), ...Object.values(CALL_IN_ACTIONS)].filter((name) => !routes.some((r) => r.name === name));
  if (missing.length > 0) throw new Error(`the example flows call actions that do not exist: ${missing.join(', ')}`);
  return [...eventRoutes(routes).map(forwardingWorkflow), exampleInQueueFlow(), exampleInboundFlow(), exampleCallInFlow()];
}

export const eventRoutes = (routes: ActionRoute[]) => routes.filter((r) => r.path.startsWith('/events/v1/'));
