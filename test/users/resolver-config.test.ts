// The `resolvers:` config for ldap and sql: defaults, secrets, and a clear
// file:line: key: message for each mistake; and createResolver builds what
// the loader gives.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { parseConfig } from '../../src/config/load.ts';
import { createResolver } from '../../src/users/index.ts';
import { configProblems as problems } from '../helpers/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'otp-radius-rcfg-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LDAP = 'resolvers:\n  corp:\n    type: ldap\n    uri: ldap://127.0.0.1:3389\n    baseDn: dc=example,dc=org\n';

describe('resolvers: ldap', () => {
  test('defaults for every key', () => {
    const { config, warnings } = parseConfig(LDAP, 'c.yaml');
    assert.deepEqual(config.resolvers.corp, {
      type: 'ldap',
      uri: ['ldap://127.0.0.1:3389'],
      startTls: false,
      tlsVerify: true,
      baseDn: 'dc=example,dc=org',
      scope: 'sub',
      userFilter: '(objectClass=person)',
      loginAttribute: 'uid',
      uidAttribute: 'entryUUID',
      attributes: { email: 'mail', phone: 'telephoneNumber', givenName: 'givenName', surname: 'sn' },
      extraAttributes: [],
      groupAttribute: 'memberOf',
      timeout: 5,
      connectTimeout: 2,
      sizeLimit: 500,
      poolSize: 4,
      cacheTtl: 60,
    });
    assert.equal(
      warnings.some((w) => /resolvers\.corp/.test(w)),
      false,
      'a loopback server without TLS is no warning',
    );
  });

  test('everything given: URI list, TLS, service bind from the environment, group search, AD attributes', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const yaml = `resolvers:
  ad:
    type: ldap
    uri: [ldap://dc1.corp.example:389, ldap://dc2.corp.example]
    startTls: true
    caFile: ${ca}
    bindDn: CN=svc-otp,OU=Service,DC=corp,DC=example
    bindPassword: \${env:AD_PW}
    baseDn: DC=corp,DC=example
    scope: one
    userFilter: (&(objectCategory=person)(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))
    loginAttribute: sAMAccountName
    uidAttribute: objectGUID
    attributes: { phone: mobile }
    extraAttributes: [department]
    groupBaseDn: OU=Groups,DC=corp,DC=example
    groupNameAttribute: sAMAccountName
    timeout: 2.5
    connectTimeout: 0.5
    sizeLimit: 100
    poolSize: 2
    cacheTtl: 0
`;
    const { config, warnings } = parseConfig(yaml, 'c.yaml', { AD_PW: 'pw-from-env' });
    const ad = config.resolvers.ad;
    assert.ok(ad && ad.type === 'ldap');
    assert.deepEqual(ad.uri, ['ldap://dc1.corp.example:389', 'ldap://dc2.corp.example']);
    assert.equal(ad.bindPassword, 'pw-from-env');
    assert.equal(ad.caFile, ca);
    assert.deepEqual(ad.attributes, { email: 'mail', phone: 'mobile', givenName: 'givenName', surname: 'sn' });
    assert.equal(ad.groupFilter, '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup)(objectClass=group))');
    assert.equal(ad.groupMemberAttribute, 'member');
    assert.equal(ad.groupNameAttribute, 'sAMAccountName');
    assert.equal(ad.timeout, 2.5);
    assert.equal(ad.cacheTtl, 0);
    assert.equal(ad.scope, 'one');
    assert.deepEqual(
      warnings.filter((w) => w.includes('resolvers.')),
      [],
    );
  });

  test('bindPasswordFile; warnings for tlsVerify off and clear-text binds to another host', () => {
    const pwFile = join(dir, 'bind.pw');
    writeFileSync(pwFile, 'from-a-file\n');
    chmodSync(pwFile, 0o600);
    const yaml = `resolvers:\n  corp:\n    type: ldap\n    uri: [ldap://ldap.example.org, ldaps://ldap2.example.org]\n    baseDn: dc=example,dc=org\n    bindDn: cn=svc,dc=example,dc=org\n    bindPasswordFile: ${pwFile}\n    tlsVerify: false\n`;
    const { config, warnings } = parseConfig(yaml, 'c.yaml');
    assert.equal((config.resolvers.corp as { bindPassword?: string }).bindPassword, 'from-a-file');
    assert.deepEqual(
      warnings.filter((w) => w.includes('resolvers.')),
      [
        'c.yaml:8: resolvers.corp.tlsVerify: the LDAP server certificate is not checked: anyone in the path can read the passwords',
        "c.yaml:4: resolvers.corp.uri: ldap://ldap.example.org without startTls: bind passwords (the service's, and users' with otppin userstore) travel in clear",
      ],
    );
  });

  test('each mistake at its line', () => {
    assert.deepEqual(problems(`${LDAP}    uri: http://x\n`), ['c.yaml:6: resolvers.corp.uri: given twice']);
    assert.deepEqual(problems('resolvers:\n  corp:\n    type: ldap\n    uri: http://x\n    baseDn: dc=x\n'), [
      'c.yaml:4: resolvers.corp.uri: "http://x": expected the scheme ldap:// or ldaps://, got http://',
    ]);
    assert.deepEqual(problems('resolvers:\n  corp:\n    type: ldap\n    uri: [ldap://a, "ldap://b/dc=x?uid"]\n    baseDn: dc=x\n'), [
      'c.yaml:4: resolvers.corp.uri[1]: "ldap://b/dc=x?uid": only scheme, host and port are used; put the base DN in baseDn and the filter in userFilter',
    ]);
    assert.deepEqual(problems('resolvers:\n  corp:\n    type: ldap\n    uri: []\n    baseDn: dc=x\n'), ['c.yaml:4: resolvers.corp.uri: expected at least 1 item']);
    assert.deepEqual(problems('resolvers:\n  corp:\n    type: ldap\n    uri: ldap://a\n'), ['c.yaml:3: resolvers.corp.baseDn: required, a non-empty string']);
    assert.deepEqual(problems(`${LDAP}    userFilter: uid=*\n`), ['c.yaml:6: resolvers.corp.userFilter: "uid=*" is not an LDAP filter: expected it in parentheses, e.g. (objectClass=person)']);
    assert.match(problems(`${LDAP}    userFilter: "(&(objectClass=person)"\n`)[0]!, /^c\.yaml:6: resolvers\.corp\.userFilter: .* is not an LDAP filter: 1 "\(" not closed$/);
    assert.deepEqual(problems(`${LDAP}    loginAttribute: "user name"\n`), [
      'c.yaml:6: resolvers.corp.loginAttribute: "user name" is not an LDAP attribute name (letters, digits and "-", starting with a letter, or an OID)',
    ]);
    assert.deepEqual(problems(`${LDAP}    scope: subtree\n`), ['c.yaml:6: resolvers.corp.scope: expected one of "sub", "one", "base", got "subtree"']);
    assert.deepEqual(problems(`${LDAP}    timeout: 0\n`), ['c.yaml:6: resolvers.corp.timeout: expected a number of seconds from 0.05 to 120, got 0']);
    assert.deepEqual(problems(`${LDAP}    timeout: soon\n`), ['c.yaml:6: resolvers.corp.timeout: expected a number of seconds from 0.05 to 120, got "soon"']);
    assert.deepEqual(problems(`${LDAP}    cacheTtl: -1\n`), ['c.yaml:6: resolvers.corp.cacheTtl: expected a whole number from 0 to 86400, got -1']);
    assert.deepEqual(problems(`${LDAP}    bindDn: cn=svc\n`), ['c.yaml:3: resolvers.corp.bindPassword: required, a non-empty string (or bindPasswordFile: PATH)']);
    assert.deepEqual(problems(`${LDAP}    bindDn: cn=svc\n    bindPassword: \${env:NOPE}\n`), ['c.yaml:7: resolvers.corp.bindPassword: environment variable NOPE is not set']);
    assert.deepEqual(problems(`${LDAP}    bindPassword: x\n`), ['c.yaml:6: resolvers.corp.bindPassword: given without bindDn (leave both out for an anonymous search)']);
    assert.deepEqual(problems(`${LDAP}    startTls: true\n    uri: ldaps://a\n`), ['c.yaml:7: resolvers.corp.uri: given twice']);
    assert.deepEqual(problems('resolvers:\n  corp:\n    type: ldap\n    uri: ldaps://a\n    startTls: true\n    baseDn: dc=x\n'), [
      'c.yaml:5: resolvers.corp.startTls: ldaps:// is TLS already; use ldap:// with startTls, or ldaps:// without',
    ]);
    assert.deepEqual(problems(`${LDAP}    caFile: /nonexistent/ca.pem\n`), ['c.yaml:6: resolvers.corp.caFile: cannot read /nonexistent/ca.pem: ENOENT']);
    assert.deepEqual(problems(`${LDAP}    groupFilter: (cn=*)\n`), ['c.yaml:6: resolvers.corp.groupFilter: used only with groupBaseDn (a group search); without it groups come from groupAttribute']);
    assert.deepEqual(problems(`${LDAP}    extraAttributes: [department, userPassword]\n`), ['c.yaml:6: resolvers.corp.extraAttributes[1]: "userPassword" holds a password and is never read']);
    assert.deepEqual(problems(`${LDAP}    bindPw: x\n`), [
      'c.yaml:6: resolvers.corp.bindPw: unknown key (expected one of: type, uri, startTls, caFile, tlsVerify, bindDn, bindPassword, bindPasswordFile, baseDn, scope, userFilter, loginAttribute, uidAttribute, attributes, extraAttributes, groupAttribute, groupBaseDn, groupFilter, groupMemberAttribute, groupNameAttribute, timeout, connectTimeout, sizeLimit, poolSize, cacheTtl)',
    ]);
    assert.deepEqual(problems(`${LDAP}    attributes: { mail: mail }\n`), ['c.yaml:6: resolvers.corp.attributes.mail: unknown key (expected one of: email, phone, givenName, surname)']);
  });

  test('a resolver without a type, or an unknown one', () => {
    assert.deepEqual(problems('resolvers:\n  corp:\n    uri: ldap://a\n'), ['c.yaml:3: resolvers.corp.type: required, one of "file", "ldap", "sql"']);
    assert.deepEqual(problems('resolvers:\n  corp: { type: nis }\n'), ['c.yaml:2: resolvers.corp.type: expected one of "file", "ldap", "sql", got "nis"']);
  });

  test('createResolver builds an ldap resolver from the loaded config without connecting', async () => {
    const { config } = parseConfig(`${LDAP}    uri: [ldap://127.0.0.1:1]\n`.replace('    uri: ldap://127.0.0.1:3389\n', ''), 'c.yaml');
    const r = await createResolver('corp', config.resolvers.corp!);
    assert.equal(r.type, 'ldap');
    await r.close();
  });
});

describe('resolvers: sql', () => {
  const dbPath = join(dir, 'users.db');
  const db = new Database(dbPath);
  db.exec('CREATE TABLE users (uid INTEGER PRIMARY KEY, name TEXT, hash TEXT, enabled INTEGER)');
  db.exec("INSERT INTO users VALUES (1, 'alice', NULL, 1)");
  db.close();

  const SQL = `resolvers:\n  db:\n    type: sql\n    driver: sqlite\n    path: ${dbPath}\n    table: users\n    columns: { login: name, id: uid }\n`;

  test('sqlite: defaults, and createResolver opens it', async () => {
    const { config } = parseConfig(SQL, 'c.yaml');
    assert.deepEqual(config.resolvers.db, {
      type: 'sql',
      driver: 'sqlite',
      path: dbPath,
      table: 'users',
      columns: { login: 'name', id: 'uid' },
      extraColumns: [],
      caseInsensitive: false,
      timeout: 5,
      connectTimeout: 2,
      poolSize: 4,
      sizeLimit: 500,
      cacheTtl: 60,
    });
    const r = await createResolver('db', config.resolvers.db!);
    try {
      assert.equal((await r.findUser('alice'))?.id, '1');
    } finally {
      await r.close();
    }
  });

  test('postgres: url with a password from the environment, or urlFile, or a separate password', () => {
    const base = 'resolvers:\n  pg:\n    type: sql\n    driver: postgres\n    table: public.users\n    columns: { login: name }\n';
    const { config } = parseConfig(`${base}    url: postgres://otp:\${env:PGPW}@db.example:5432/users\n    where: enabled = 1\n`, 'c.yaml', { PGPW: 's3cret' });
    assert.deepEqual(config.resolvers.pg, {
      type: 'sql',
      driver: 'postgres',
      url: 'postgres://otp:s3cret@db.example:5432/users',
      table: 'public.users',
      columns: { login: 'name' },
      where: 'enabled = 1',
      extraColumns: [],
      caseInsensitive: false,
      timeout: 5,
      connectTimeout: 2,
      poolSize: 4,
      sizeLimit: 500,
      cacheTtl: 60,
    });
    const urlFile = join(dir, 'pg.url');
    writeFileSync(urlFile, 'postgres://otp@db.example/users\n');
    chmodSync(urlFile, 0o600);
    const fromFile = parseConfig(`${base}    urlFile: ${urlFile}\n    password: \${env:PGPW}\n`, 'c.yaml', { PGPW: 'pw2' }).config.resolvers.pg;
    assert.deepEqual([(fromFile as { url?: string }).url, (fromFile as { password?: string }).password], ['postgres://otp@db.example/users', 'pw2']);
  });

  test('each mistake at its line, and no password in any message', () => {
    const pg = 'resolvers:\n  pg:\n    type: sql\n    driver: postgres\n    table: users\n    columns: { login: name }\n';
    assert.deepEqual(problems(pg), ['c.yaml:3: resolvers.pg.url: required, a non-empty string (or urlFile: PATH)']);
    const bad = problems(`${pg}    url: mysql://root:hunter2@db/users\n`);
    assert.deepEqual(bad, ['c.yaml:7: resolvers.pg.url: expected a URL postgres://[user[:password]@]host[:port]/database (percent-encode special characters in the user name and password)']);
    assert.equal(bad.join('').includes('hunter2'), false);
    assert.deepEqual(problems(`${pg}    url: postgres://db/users\n    path: x.db\n`), ['c.yaml:8: resolvers.pg.path: is for driver sqlite; give url for postgres']);
    assert.deepEqual(problems(`${SQL}    url: postgres://db/x\n`), ['c.yaml:8: resolvers.db.url: is for driver postgres; give path for sqlite']);
    assert.deepEqual(problems('resolvers:\n  db:\n    type: sql\n    driver: sqlite\n    table: users\n    columns: { login: name }\n'), [
      'c.yaml:3: resolvers.db.path: required with driver sqlite: the database file',
    ]);
    assert.deepEqual(problems('resolvers:\n  db:\n    type: sql\n    driver: mysql\n    table: users\n    columns: { login: name }\n'), [
      'c.yaml:4: resolvers.db.driver: expected one of "sqlite", "postgres", got "mysql"',
    ]);
    assert.deepEqual(problems(`${SQL}    where: "enabled = 1; DROP TABLE users"\n`), ['c.yaml:8: resolvers.db.where: must not contain ";"']);
    assert.deepEqual(problems(SQL.replace('table: users', 'table: "users where 1=1"')), [
      'c.yaml:6: resolvers.db.table: "users where 1=1" is not a plain table name (or schema.table): letters, digits, _ and $, starting with a letter or _',
    ]);
    assert.deepEqual(problems(SQL.replace('columns: { login: name, id: uid }', 'columns: { id: uid }')), ['c.yaml:7: resolvers.db.columns.login: required, a non-empty string']);
    assert.deepEqual(problems(SQL.replace('columns: { login: name, id: uid }', 'columns: { login: name, mail: email }')), [
      'c.yaml:7: resolvers.db.columns.mail: unknown key (expected one of: login, id, password, email, phone, givenName, surname, groups)',
    ]);
    assert.deepEqual(problems(SQL.replace('columns: { login: name, id: uid }', 'columns: { login: "name, hash" }')), [
      'c.yaml:7: resolvers.db.columns.login: "name, hash" is not a plain column name: letters, digits, _ and $, starting with a letter or _',
    ]);
    assert.deepEqual(problems(SQL.replace('id: uid }', 'id: uid, password: hash }\n    extraColumns: [hash]')), [
      'c.yaml:8: resolvers.db.extraColumns[0]: "hash" is the password column and is never handed out',
    ]);
  });

  test('a wrong column is caught when the resolver is built', async () => {
    const { config } = parseConfig(SQL.replace('id: uid', 'id: userid'), 'c.yaml');
    await assert.rejects(createResolver('db', config.resolvers.db!), /resolvers\.db: the table, a column or the where clause does not work: no such column: "?userid/);
  });
});
