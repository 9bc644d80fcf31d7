// The `selfService` section: defaults, a realm's keys over them, and each
// mistake named with file, line and key.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { DEFAULT_SELF_SERVICE, realmPolicy } from '../../src/model/self-service.ts';

const USERS = 'resolvers:\n  local: { type: file, path: users.yaml }\nrealms:\n  corp: { resolvers: local, default: true }\n  Lab: { resolvers: local }\n';

function problems(yaml: string): string[] {
  try {
    parseConfig(USERS + yaml, 'c.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  assert.fail('config was accepted');
}

describe('config selfService', () => {
  test('absent: every realm on, a first token needs an enrollment code, sessions of 15 minutes idle and 8 hours at most', () => {
    const { config } = parseConfig(USERS, 'c.yaml');
    assert.deepEqual(config.selfService, DEFAULT_SELF_SERVICE);
    const corp = realmPolicy(config.selfService, 'corp');
    assert.deepEqual(corp, { enabled: true, enroll: 'everyone', maxTokens: 2, types: ['totp', 'hotp'], enrollmentCode: true, deleteLast: false });
    assert.equal(config.selfService.sessionIdleSeconds, 900);
    assert.equal(config.selfService.sessionMaxSeconds, 8 * 3600);
  });

  test('defaults and per-realm keys: a realm entry changes only the keys it gives', () => {
    const { config } = parseConfig(
      `${USERS}selfService:
  sessionIdleMinutes: 5
  sessionMaxHours: 2
  userCheckSeconds: 30
  pinMinLength: 6
  enrollmentCodeHours: 24
  defaults: { enabled: false, types: [totp], maxTokens: 1 }
  realms:
    LAB: { enabled: true, enroll: group, group: vpn-users, enrollmentCode: false }
`,
      'c.yaml',
    );
    const s = config.selfService;
    assert.equal(s.sessionIdleSeconds, 300);
    assert.equal(s.sessionMaxSeconds, 7200);
    assert.equal(s.userCheckSeconds, 30);
    assert.equal(s.pinMinLength, 6);
    assert.equal(s.enrollmentCodeHours, 24);
    assert.deepEqual(realmPolicy(s, 'corp'), { enabled: false, enroll: 'everyone', maxTokens: 1, types: ['totp'], enrollmentCode: true, deleteLast: false });
    assert.deepEqual(realmPolicy(s, 'lab'), { enabled: true, enroll: 'group', group: 'vpn-users', maxTokens: 1, types: ['totp'], enrollmentCode: false, deleteLast: false });
  });

  test('mistakes name the line and key', () => {
    assert.deepEqual(problems('selfService:\n  realms:\n    nowhere: { enabled: true }\n'), ['c.yaml:8: selfService.realms.nowhere: unknown realm "nowhere" (realms: corp, lab)']);
    assert.deepEqual(problems('selfService:\n  defaults:\n    enroll: group\n'), ['c.yaml:8: selfService.defaults.group: required with enroll: group, the directory group whose members may enroll']);
    assert.deepEqual(problems('selfService:\n  realms:\n    corp:\n      group: staff\n'), ['c.yaml:9: selfService.realms.corp.group: applies with enroll: group only (enroll is everyone)']);
    assert.deepEqual(problems('selfService:\n  defaults: { types: [totp, ocra] }\n'), ['c.yaml:7: selfService.defaults.types[1]: expected one of "totp", "hotp", got "ocra"']);
    assert.deepEqual(problems('selfService:\n  defaults:\n    types: [totp, totp]\n'), ['c.yaml:8: selfService.defaults.types: a type is listed twice']);
    assert.deepEqual(problems('selfService:\n  defaults: { maxTokens: 0 }\n'), ['c.yaml:7: selfService.defaults.maxTokens: expected a whole number from 1 to 20, got 0']);
    assert.deepEqual(problems('selfService:\n  defaults: { enroll: anyone }\n'), ['c.yaml:7: selfService.defaults.enroll: expected one of "everyone", "group", "withoutToken", got "anyone"']);
    assert.deepEqual(problems('selfService:\n  sessionIdleMinutes: 600\n  sessionMaxHours: 1\n'), ['c.yaml:7: selfService.sessionIdleMinutes: must not be longer than sessionMaxHours (1 h)']);
    assert.deepEqual(problems('selfService:\n  enrollmentCodeHours: 10000\n'), ['c.yaml:7: selfService.enrollmentCodeHours: expected a whole number from 1 to 720, got 10000']);
    assert.deepEqual(problems('selfService:\n  realms:\n    corp: { enable: true }\n'), [
      'c.yaml:8: selfService.realms.corp.enable: unknown key (expected one of: enabled, enroll, group, maxTokens, types, enrollmentCode, deleteLast)',
    ]);
    assert.deepEqual(problems('selfService:\n  realms:\n    corp: {}\n    CORP: {}\n'), ['c.yaml:9: selfService.realms.CORP: realm names are case-insensitive, and this realm is given twice']);
  });
});
