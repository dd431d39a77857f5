import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../platform/errors.js';
import { supportedEventTypes, webhookEventTypes } from './event-types.js';
import { duplicateNameMessage, normaliseAddress, parsePolicyBody, policiesFor, toApiPolicy, validatePolicy, type WebhookPolicyBody, webhookPolicyBody } from './policy.js';

const hook = { type: 'http', address: 'https://hooks.example.com/harbor' };
const good: WebhookPolicyBody = { name: 'ci', event_types: ['PUSH_ARTIFACT'], targets: [hook] };

describe('validatePolicy refusals (Harbor\'s messages)', () => {
  const cases: Array<[string, WebhookPolicyBody, string]> = [
    ['no event types', { ...good, event_types: undefined }, 'empty event type'],
    ['empty event types', { ...good, event_types: [] }, 'empty event type'],
    ['unknown event type', { ...good, event_types: ['PUSH_ARTIFACT', 'INVALID'] }, 'unsupported event type INVALID'],
    ['old event type', { ...good, event_types: ['pushImage'] }, 'unsupported event type pushImage'],
    ['event types are checked before targets', { name: 'ci', event_types: ['X'], targets: [] }, 'unsupported event type X'],
    ['no targets', { ...good, targets: [] }, 'empty notification target with policy ci'],
    ['no targets at all', { ...good, targets: undefined }, 'empty notification target with policy ci'],
    ['empty address', { ...good, targets: [{ type: 'http', address: '  ' }] }, 'empty URL'],
    ['no address', { ...good, targets: [{ type: 'http' }] }, 'empty URL'],
    ['ftp address', { ...good, targets: [{ type: 'http', address: 'ftp://x/y' }] }, 'invalid scheme: ftp'],
    ['file address', { ...good, targets: [{ type: 'http', address: 'file:///etc/passwd' }] }, 'invalid scheme: file'],
    ['space in host', { ...good, targets: [{ type: 'http', address: 'http://a b/' }] }, 'parse "http://a b/": invalid URI for request'],
    ['unknown target type', { ...good, targets: [{ type: 'invalid', address: 'http://127.0.0.1' }] }, 'unsupported target type invalid with policy ci'],
    ['no target type', { ...good, targets: [{ address: 'http://127.0.0.1' }] }, 'unsupported target type  with policy ci'],
    ['payload format on slack', { ...good, targets: [{ type: 'slack', address: 'https://hooks.slack.com/x', payload_format: 'Default' }] }, 'set payload format is not allowed for slack'],
    ['unknown payload format', { ...good, targets: [{ ...hook, payload_format: 'XML' }] }, 'unsupported payload format type: XML'],
    ['second target bad', { ...good, targets: [hook, { type: 'http', address: 'gopher://x' }] }, 'invalid scheme: gopher'],
    ['no name', { ...good, name: '  ' }, 'the name of the webhook policy is required'],
  ];
  for (const [name, body, message] of cases) {
    it(name, () => {
      assert.throws(
        () => validatePolicy(body),
        (e: unknown) => e instanceof AppError && e.code === 'BAD_REQUEST' && e.status === 400 && e.message === message,
      );
    });
  }
});

describe('validatePolicy results', () => {
  it('settles defaults: Default format for http, enabled, empty description and auth', () => {
    assert.deepEqual(validatePolicy(good), {
      name: 'ci',
      description: '',
      enabled: true,
      event_types: ['PUSH_ARTIFACT'],
      targets: [{ type: 'http', address: 'https://hooks.example.com/harbor', auth_header: '', skip_cert_verify: false, payload_format: 'Default' }],
    });
  });

  it('keeps what was given; slack gets no payload format; duplicates go', () => {
    const spec = validatePolicy({
      name: ' release ',
      description: 'to chat',
      enabled: false,
      event_types: ['DELETE_ARTIFACT', 'TAG_RETENTION', 'DELETE_ARTIFACT'],
      targets: [
        { type: 'http', address: 'hooks.example.com:8080/h?k=v', auth_header: 'Bearer x', skip_cert_verify: true, payload_format: 'CloudEvents' },
        { type: 'slack', address: ' https://hooks.slack.com/services/T/B/X ' },
      ],
    });
    assert.deepEqual(spec, {
      name: 'release',
      description: 'to chat',
      enabled: false,
      event_types: ['DELETE_ARTIFACT', 'TAG_RETENTION'],
      targets: [
        { type: 'http', address: 'http://hooks.example.com:8080/h?k=v', auth_header: 'Bearer x', skip_cert_verify: true, payload_format: 'CloudEvents' },
        { type: 'slack', address: 'https://hooks.slack.com/services/T/B/X', auth_header: '', skip_cert_verify: false },
      ],
    });
  });

  it('an update without enabled keeps the stored value', () => {
    assert.equal(validatePolicy(good, { enabled: false }).enabled, false);
    assert.equal(validatePolicy({ ...good, enabled: true }, { enabled: false }).enabled, true);
  });

  it('accepts every event type Harbor lists', () => {
    assert.deepEqual(validatePolicy({ ...good, event_types: [...webhookEventTypes] }).event_types, webhookEventTypes);
  });
});

describe('normaliseAddress', () => {
  const cases: Array<[string, string]> = [
    ['https://h.example/x/', 'https://h.example/x/'],
    ['h.example', 'http://h.example'],
    ['  http://10.0.0.1:9000/hook  ', 'http://10.0.0.1:9000/hook'],
    ['http://[::1]:8080/', 'http://[::1]:8080/'],
  ];
  for (const [raw, want] of cases) it(`${raw} -> ${want}`, () => assert.equal(normaliseAddress(raw), want));
});

describe('webhookPolicyBody schema', () => {
  it('takes what Harbor clients send, read-only fields included', () => {
    const body = { id: 1, name: 'x', project_id: 2, creator: 'admin', creation_time: '2024-01-01T00:00:00Z', enabled: true, event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: 'http://x', skip_cert_verify: false }] };
    assert.equal(webhookPolicyBody.safeParse(body).success, true);
  });
  const bad: Array<[string, unknown]> = [
    ['enabled as a string', { enabled: 'yes' }],
    ['event_types not an array', { event_types: 'PUSH_ARTIFACT' }],
    ['a target address as a number', { targets: [{ address: 1 }] }],
    ['too many targets', { targets: Array.from({ length: 17 }, () => hook) }],
    ['a huge name', { name: 'n'.repeat(257) }],
  ];
  for (const [name, body] of bad) it(`refuses ${name}`, () => assert.equal(webhookPolicyBody.safeParse(body).success, false));
});

describe('policiesFor', () => {
  const p = (name: string, enabled: boolean, event_types: Array<(typeof webhookEventTypes)[number]>) => ({ name, enabled, event_types });
  it('picks the enabled policies hearing the event type', () => {
    const all = [p('a', true, ['PUSH_ARTIFACT']), p('b', false, ['PUSH_ARTIFACT']), p('c', true, ['PULL_ARTIFACT', 'PUSH_ARTIFACT']), p('d', true, ['PULL_ARTIFACT'])];
    assert.deepEqual(policiesFor(all, 'PUSH_ARTIFACT').map((x) => x.name), ['a', 'c']);
    assert.deepEqual(policiesFor(all, 'TAG_RETENTION'), []);
  });
});

describe('toApiPolicy', () => {
  it("writes Harbor's WebhookPolicy: empty fields left out, enabled always there", () => {
    const api = toApiPolicy({
      id: 4,
      project_id: 2,
      name: 'ci',
      description: '',
      creator: 'admin',
      enabled: false,
      event_types: ['PUSH_ARTIFACT'],
      targets: [
        { type: 'http', address: 'https://h/x', auth_header: '', skip_cert_verify: false, payload_format: 'Default' },
        { type: 'slack', address: 'https://s/x', auth_header: 'A', skip_cert_verify: true },
      ],
      creation_time: new Date('2024-05-01T10:00:00Z'),
      update_time: new Date('2024-05-02T10:00:00.123Z'),
    });
    assert.equal(
      JSON.stringify(api),
      '{"creation_time":"2024-05-01T10:00:00.000Z","creator":"admin","enabled":false,"event_types":["PUSH_ARTIFACT"],"id":4,"name":"ci","project_id":2,' +
        '"targets":[{"address":"https://h/x","payload_format":"Default","type":"http"},{"address":"https://s/x","auth_header":"A","skip_cert_verify":true,"type":"slack"}],' +
        '"update_time":"2024-05-02T10:00:00.123Z"}',
    );
  });
});

describe('supportedEventTypes', () => {
  it('is the body of /webhook/events', () => {
    assert.equal(
      JSON.stringify(supportedEventTypes()),
      '{"event_type":["PUSH_ARTIFACT","PULL_ARTIFACT","DELETE_ARTIFACT","QUOTA_EXCEED","QUOTA_WARNING","SCANNING_FAILED","SCANNING_STOPPED","SCANNING_COMPLETED","REPLICATION","TAG_RETENTION"],' +
        '"notify_type":["http","slack"],"payload_formats":[{"formats":["Default","CloudEvents"],"notify_type":"http"}]}',
    );
  });
  it('hands out copies', () => {
    supportedEventTypes().event_type.pop();
    assert.equal(supportedEventTypes().event_type.length, 10);
  });
});

it('names a duplicate as Harbor does', () => assert.equal(duplicateNameMessage('ci'), 'notification policy named ci already exists'));

describe('parsePolicyBody', () => {
  it('checks shape, then rules', () => {
    assert.equal(parsePolicyBody({ ...good }).name, 'ci');
    const cases: Array<[unknown, RegExp]> = [
      [null, /^empty event type$/],
      [{ ...good, enabled: 'yes' }, /^enabled: /],
      [{ ...good, targets: [{ type: 'http', address: 5 }] }, /^targets\.0\.address: /],
      [{ ...good, event_types: ['NOPE'] }, /^unsupported event type NOPE$/],
    ];
    for (const [body, pattern] of cases) {
      assert.throws(() => parsePolicyBody(body), (e: unknown) => e instanceof AppError && e.code === 'BAD_REQUEST' && pattern.test(e.message));
    }
  });
});
