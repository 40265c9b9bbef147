import type { Detection } from '@dpmambair/core';

/** What the demo shows of core's detectDegradation (the probe ships with @dpmambair/models). */
export type Detected = { classes: Detection[]; severity?: number };
