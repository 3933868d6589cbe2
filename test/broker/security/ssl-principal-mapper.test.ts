import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NoMatchingRuleError,
  rfc2253Name,
  SslPrincipalMapper,
} from '../../../src/broker/security/ssl-principal-mapper.js';
import { InvalidConfigError } from '../../../src/common/config-def.js';

describe('SslPrincipalMapper', () => {
  it('keeps the distinguished name with DEFAULT', () => {
    assert.equal(new SslPrincipalMapper('DEFAULT').map('CN=alice,OU=Eng,O=Strom'), 'CN=alice,OU=Eng,O=Strom');
  });

  it("applies the first matching rule of Kafka's syntax, with L and U", () => {
    // The rules of Kafka's documentation (security.html, "Customizing SSL User Name").
    const m = new SslPrincipalMapper(
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U,DEFAULT',
    );
    assert.equal(m.map('CN=kafka-svc,OU=ServiceUsers,O=Unknown'), 'kafka-svc');
    assert.equal(m.map('CN=Duke,OU=JavaSoft,O=Sun Microsystems,L=Santa Clara,ST=CA,C=US'), 'duke@javasoft');
    assert.equal(m.map('OU=x,cn=bob.smith,O=y'), 'BOB.SMITH');
    assert.equal(m.map('O=no common name'), 'O=no common name');
  });

  it('takes escaped slashes in patterns and replacements, and spaces around rules', () => {
    const m = new SslPrincipalMapper(' RULE:^CN=(.*)\\/x$/$1\\/y/ , DEFAULT ');
    assert.equal(m.map('CN=a/x'), 'a/y');
  });

  it('fails when no rule applies, and refuses rules that do not parse', () => {
    assert.throws(() => new SslPrincipalMapper('RULE:^CN=(.*)$/$1/').map('O=x'), NoMatchingRuleError);
    assert.throws(() => new SslPrincipalMapper('RULE:^CN=(.*)$/$1/,nonsense'), InvalidConfigError);
    assert.throws(() => new SslPrincipalMapper('RULE:^CN=($/$1/'), InvalidConfigError);
  });

  it("writes a certificate subject as Java's X500Principal.getName()", () => {
    assert.equal(rfc2253Name('O=Strom\nOU=Eng\nCN=alice'), 'CN=alice,OU=Eng,O=Strom');
    assert.equal(rfc2253Name('O=Acme, Inc.\nCN=bob'), 'CN=bob,O=Acme\\, Inc.');
  });
});
