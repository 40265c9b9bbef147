/** Silences tfjs's one-time "install tfjs-node" banner in Node tests (it is advice, not an error). */
export function quietTfjs(): void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('tfjs-node')) return;
    warn(...args);
  };
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && (args[0].includes('tfjs-node') || /^=+$/.test(args[0].trim()))) return;
    log(...args);
  };
}
