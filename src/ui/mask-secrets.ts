/** Keys whose values are credentials: shown masked, never sent back in full. */
const SECRET_KEY = /(KEY|SECRET|TOKEN|PASSWORD|PASSWD|BASE64|COOKIE|AUTHORIZATION)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** `sk-…c0de`: enough to recognise which key it is, too little to use it. Short values show nothing. */
export function maskSecret(value: string): string {
  if (value === '') return '';
  if (value.length < 12) return '…';
  return `${value.slice(0, 3)}…${value.slice(-4)}`;
}

/** A copy of a flat settings object with every secret-looking string value masked. */
export function maskSecrets(values: Readonly<Record<string, unknown>>, extraSecretKeys: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const masked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string' && (isSecretKey(key) || extraSecretKeys.has(key))) masked[key] = maskSecret(value);
    else masked[key] = value;
  }
  return masked;
}
