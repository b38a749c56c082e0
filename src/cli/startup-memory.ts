import { setFlagsFromString } from 'node:v8';

/**
 * Loading and compiling ~200 modules at start makes V8 double its young generation step by step up to
 * 16 MB per semi-space, although little of what start-up allocates survives; those pages then stay
 * resident while the gateway idles (about 10 MB of its idle RSS). Holding the young generation at its
 * initial size until start-up is over avoids that; the returned function restores V8's default growth,
 * so under load the young generation sizes itself as usual.
 */
export function holdYoungGenerationDuringStartup(): () => void {
  // The flag is V8's (default 2). Node 20's V8 honours 1; later V8s may clamp it to 2, which makes this
  // a harmless no-op there. V8 versions outside Node 20-24 are left alone.
  const v8Major = Number(process.versions.v8.split('.')[0]);
  if (!(v8Major >= 11 && v8Major <= 13)) return () => undefined;
  setFlagsFromString('--semi-space-growth-factor=1');
  let released = false;
  return () => {
    if (released) return;
    released = true;
    setFlagsFromString('--semi-space-growth-factor=2');
  };
}
