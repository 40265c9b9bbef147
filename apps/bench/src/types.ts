/** One benchmark record: one device, one runtime, one run of the bench. Written as JSON. */
export const RECORD_SCHEMA = 'dpmambair-bench/1';

export interface LatencyPoint {
  /** Square image side in pixels. */
  size: number;
  /** Wall time of each steady-state restore (ms), after the warm-up. */
  runs: number[];
  medianMs: number;
  /** Megapixels restored per second at the median time. */
  mpPerS: number;
  /** Set when no steady-state run fitted in the budget: `runs` holds the warm-up (first) run only. */
  warmupOnly?: boolean;
}

export interface SkippedSize {
  size: number;
  reason: string;
}

export interface QualityItem {
  name: string;
  degradation: string;
  inputPsnr: number;
  inputSsim: number;
  psnr: number;
  ssim: number;
}

export interface Agreement {
  reference: string;
  /** Image side of the comparison input. */
  size: number;
  maxAbsDiff: number;
  /** PSNR of this device's output against the reference device's (dB, data range 1); null when identical. */
  psnr: number | null;
}

export interface BenchRecord {
  schema: typeof RECORD_SCHEMA;
  device: string;
  runtime: 'node' | 'chromium';
  /** Backend package / engine (onnxruntime-node, onnxruntime-web, tfjs). */
  backend: string;
  /** Set when the device ran in another configuration than its default, e.g. 'isolated' (a cross-origin-isolated page, threads); part of the file name. */
  variant?: string;
  /** Set when a GPU API is emulated on the CPU (SwiftShader): these timings are never GPU speed. */
  emulated?: string;
  date: string;
  host: {
    cpu: string;
    cores: number;
    platform: string;
    runtimeVersion: string;
    threads?: number;
    loadAverage?: number[];
    /** Whether a model training job (models/train.py) was running on this machine during the run. */
    trainingJobRunning?: boolean;
  };
  /** The model measured; `sha256` of its safetensors (every device of one run gets the same snapshot). */
  model: { name: string; source: string; trained: boolean; sha256?: string };
  /** Compiling both graphs (session creation), ms. */
  sessionMs: number;
  /** First restore (cold: kernels, shapes, allocations) vs the steady-state median at the same size. */
  warmup: { size: number; firstMs: number; steadyMs: number };
  latency: LatencyPoint[];
  skipped: SkippedSize[];
  memory: {
    /** Peak resident memory of the process that ran the device (MB). */
    peakRssMB: number | null;
    /** Resident memory before the model was loaded (MB). */
    baselineRssMB?: number | null;
    how: string;
  };
  agreement?: Agreement;
  quality?: { set: string; items: QualityItem[]; skipped?: string };
  notes: string[];
  wallMs: number;
}

/** Devices a run could not measure here, with the reason (e.g. cuda without an NVIDIA GPU). */
export const UNAVAILABLE_SCHEMA = 'dpmambair-bench-unavailable/1';
export interface UnavailableList {
  schema: typeof UNAVAILABLE_SCHEMA;
  runtime: 'node' | 'chromium';
  date: string;
  devices: { device: string; reason: string }[];
}
