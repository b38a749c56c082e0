import { setFlagsFromString } from 'node:v8';

/** V8 flags the user set on the command line or in NODE_OPTIONS: those are left as they are. */
export function userSetFlag(name: string): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((arg) =>
    arg
      .replace(/_/g, '-')
      .replace(/^--no-/, '--')
      .startsWith(`--${name}`),
  );
}

/**
 * Start-up work that leaves memory behind for the life of an idle gateway is held back until the
 * server listens; the returned function restores V8's defaults, so under load V8 behaves as usual.
 *
 * - Young generation: loading and compiling ~200 modules makes V8 double its young generation step by
 *   step up to 16 MB per semi-space, although little of what start-up allocates survives; those pages
 *   then stay resident (about 10 MB of idle RSS). It is held at its initial size.
 * - Optimizing compilers: start-up loops (module loading, schema building, config checks) are hot enough
 *   for TurboFan (and Maglev on Node 22+), whose code and compiled output then stay resident although
 *   that code never runs again (about 6 MB of idle RSS). Start-up runs unoptimized; request-path code
 *   is optimized as usual once the gateway serves.
 */
export function holdMemoryDuringStartup(): () => void {
  // Flags of V8 11-13 (Node 20-24); other V8 versions are left alone. Node 20's V8 honours a growth
  // factor of 1; later V8s may clamp it to 2, which makes that part a harmless no-op there.
  const v8Major = Number(process.versions.v8.split('.')[0]);
  if (!(v8Major >= 11 && v8Major <= 13)) return () => undefined;
  setFlagsFromString('--semi-space-growth-factor=1');
  const holdTurbofan = !userSetFlag('turbofan') && !userSetFlag('opt');
  // Maglev is on by default from V8 12 (Node 22); on Node 20 it is off and stays off.
  const holdMaglev = v8Major >= 12 && !userSetFlag('maglev');
  if (holdTurbofan) setFlagsFromString('--no-turbofan');
  if (holdMaglev) setFlagsFromString('--no-maglev');
  let released = false;
  return () => {
    if (released) return;
    released = true;
    setFlagsFromString('--semi-space-growth-factor=2');
    if (holdTurbofan) setFlagsFromString('--turbofan');
    if (holdMaglev) setFlagsFromString('--maglev');
  };
}
