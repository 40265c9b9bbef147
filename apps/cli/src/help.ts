import { DEFAULT_TILE, DEVICE_NAMES } from '@dpmambair/core';

const EXIT_CODES = `Exit codes:
  0    every input restored
  1    one or more inputs failed (each is reported on stderr; the others are still written)
  2    usage error: bad flags, missing arguments, unknown device or format
  3    the model or the device could not be loaded (with --redis: or Redis cannot be reached)
  130  interrupted (Ctrl-C); temporary files are removed
  129, 143  hung up (SIGHUP), terminated (SIGTERM): as Ctrl-C
  141  stdout or stderr was closed (e.g. piped into head): stopped quietly`;

const RESTORE = `dpmambair restore <inputs...> -o <file|dir> [options]

Restores images (noise, JPEG artefacts, blur, low light, haze, rain, snow) with one model.
One input: -o is the output file, or a directory if it exists or ends with '/'.
Several inputs: -o is a directory (created if missing); each output keeps its input's name.

Options:
  -o, --output <path>     output file (one input) or directory
  -d, --device <name>     auto (default), ${DEVICE_NAMES.join(', ')}
  -m, --model <file.json> weights manifest (default: the embedded 'small' model)
      --tile <N>          largest tile side in pixels (default ${DEFAULT_TILE}); memory grows with it
      --overlap <N>       overlap between tiles in pixels (default 32, at most tile/2)
      --strength <0-1>    how much of the restoration to apply (default 1; 0.5: halfway
                          between the input and the full restoration)
  -f, --format <fmt>      png, jpeg or webp (default: from the output's extension, else the input's format)
  -q, --quality <1-100>   JPEG/WebP quality (default 90)
      --max-pixels <N>    refuse larger images, checked from the header before decoding
                          (default 100M; accepts 100000000, 100M, 500k)
      --force             overwrite existing outputs (never an input)
      --json              one JSON object per input on stdout:
                          {input, output, width, height, ms, device, ok, error};
                          no progress (warnings and errors still go to stderr)
      --quiet             no progress and no warnings (errors are still printed)
      --redis <url>       restore on 'dpmambair worker' processes through this Redis
                          (redis://host:port); outputs are written here as results arrive;
                          a re-run collects finished results instead of restoring again
      --queue <name>      the queue's name with --redis (default dpmambair)
      --shared-storage    with --redis: jobs carry input paths instead of bytes (no 32 MiB
                          limit); every worker must see the inputs at the same absolute path
  -h, --help              this help

Images: PNG, JPEG and WebP; 8- or 16-bit (16-bit PNG in -> 16-bit PNG out); gray, RGB, with or
without alpha. EXIF orientation is applied; outputs carry no metadata (no orientation tag).
Gray images are restored as RGB and written as gray (mean of R, G, B). Alpha is copied unchanged
(JPEG has none: transparent images are flattened onto white). Outputs are written to a temporary
file beside the target and renamed, so a target is either complete or untouched.

${EXIT_CODES}`;

const INFO = `dpmambair info [--json] [-m <file.json>]

Prints every device (available or not, and why), the model (config, parameter count, cost in
FLOPs and selective-scan elements, and how it was trained) and the versions in use.

${EXIT_CODES}`;

const WORKER = `dpmambair worker --redis <url> [options]

Restores images submitted with 'dpmambair restore ... --redis <url>', until SIGTERM or Ctrl-C
(which finish the running jobs; a second one quits at once). Each concurrent job runs in its own
process that loads the model once. Jobs asking for another model (sha256) are refused.

Options:
      --redis <url>       the Redis the batches are submitted to (redis://host:port)
      --queue <name>      queue name (default dpmambair)
  -d, --device <name>     auto (default), ${DEVICE_NAMES.join(', ')}
  -m, --model <file.json> weights manifest (default: the embedded 'small' model)
      --concurrency <N>   jobs at once, one process each (default 1)
      --threads <T>       onnxruntime threads per job (default: cores / concurrency); keep
                          all workers' processes x threads on a machine <= its cores`;

export function helpText(topic?: 'restore' | 'info' | 'worker'): string {
  if (topic === 'worker') return WORKER;
  if (topic === 'restore') return RESTORE;
  if (topic === 'info') return INFO;
  return `dpmambair: all-in-one image restoration (DPMambaIR)

Usage:
  dpmambair restore <inputs...> -o <file|dir> [options]   restore images
  dpmambair info [--json]                                 devices, model, versions
  dpmambair worker --redis <url>                          restore batches for other machines
  dpmambair help [restore|info|worker]                    more help
  dpmambair --version

Examples:
  dpmambair restore noisy.png -o clean.png
  dpmambair restore photos/*.jpg -o restored/ --device cpu --quality 95
  dpmambair restore scan.png -o out.webp --json

${RESTORE.slice(RESTORE.indexOf('Options:'))}`;
}
