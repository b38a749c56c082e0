import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCredentialsBase64, loadCredentialsFile, parseKiroCredentials } from './kiro-credentials.js';

describe('Kiro credentials', () => {
  it.each([
    [{ authMethod: 'social', clientId: 'c', clientSecret: 's' }, 'social'],
    [{}, 'social'],
    [{ clientId: 'c', clientSecret: 's' }, 'idc'],
    [{ clientIdHash: 'h' }, 'idc'],
    [{ authMethod: 'builder-id' }, 'idc'],
    [{ authMethod: 'IdC' }, 'idc'],
  ])('decides the auth method of %j: %s', async (fields, method) => {
    expect((await parseKiroCredentials({ refreshToken: 'r', ...fields }, undefined)).authMethod).toBe(method);
  });

  it('reads the client registration only from <clientIdHash>.json beside the token', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'kiro-'));
    await writeFile(path.join(directory, 'kiro-auth-token.json'), JSON.stringify({ refreshToken: 'r', clientIdHash: 'h1', region: 'eu-west-1' }));
    await writeFile(path.join(directory, 'aaa.json'), JSON.stringify({ clientId: 'wrong', clientSecret: 'wrong', accessToken: 'wrong' }));
    await writeFile(path.join(directory, 'h1.json'), JSON.stringify({ clientId: 'cid', clientSecret: 'sec' }));
    const credentials = await loadCredentialsFile(path.join(directory, 'kiro-auth-token.json'));
    expect(credentials).toMatchObject({
      clientId: 'cid',
      clientSecret: 'sec',
      clientSource: 'h1.json',
      accessToken: undefined,
      region: 'eu-west-1',
      idcRegion: 'eu-west-1',
    });
  });

  it('rejects credentials without any token, naming the source', async () => {
    await expect(loadCredentialsBase64(Buffer.from('{"region":"x"}').toString('base64'))).rejects.toThrow(/KIRO_OAUTH_CREDS_BASE64 has neither/);
    await expect(loadCredentialsBase64('not base64 json')).rejects.toMatchObject({ kind: 'auth', code: 'credentials_invalid' });
  });
});
