import { parseProbe, type DegradationProbe, type Detection } from '@dpmambair/core';

export type Detected = { classes: Detection[]; severity?: number };

/** The degradation probe shipped beside the model, or undefined when this build has none. */
export async function loadProbe(base: string, embedDim: number): Promise<DegradationProbe | undefined> {
  const r = await fetch(`${base}model/small.probe.json`).catch(() => undefined);
  return r?.ok ? parseProbe(await r.json(), embedDim) : undefined;
}
