import { GraphBuilder } from '../graph/builder.js';
import type { Graph, Value } from '../graph/ir.js';
import { dtRank, levelWidth, type ModelConfig } from './config.js';

/**
 * The one definition of DPMambaIR (docs/model-spec.md). Two graphs:
 * - the extractor: crops (K, 3, H, W) of one image -> degradation embedding (1, E);
 * - the restorer: image (1, 3, H, W) + embedding (1, E) -> restored image (1, 3, H, W).
 * The pipeline runs the extractor once per image and the restorer once per tile.
 */

export const EXTRACTOR_INPUT = 'crops';
export const EXTRACTOR_OUTPUT = 'embedding';
export const RESTORER_INPUTS = ['image', 'embedding'] as const;
export const RESTORER_OUTPUT = 'restored';

export interface ExtractorOptions {
  /** Merge the multi-branch CDC blocks into single convs (exact; the inference default). */
  reparameterised: boolean;
  /** Fix the input size (crops, height, width), e.g. to count FLOPs; otherwise dynamic. */
  size?: [number, number, number];
}

/** Fix the image size, e.g. to count FLOPs; otherwise height and width are dynamic. */
export interface RestorerOptions {
  size?: [number, number];
}

/** Names of the derived parameters of the re-parameterised MSCDC at `prefix`. */
export const mergedNames = (prefix: string) => ({ weight: `${prefix}.merged.weight`, bias: `${prefix}.merged.bias` });
/** Name of the derived 1x1 weight `-theta * sum(w)` of one CDC branch. */
export const cdcCentreName = (prefix: string, branch: number) => `${prefix}.branches.${branch}.centre`;

export function mscdc(g: GraphBuilder, x: Value, prefix: string, cin: number, cout: number, config: ModelConfig, options: ExtractorOptions): Value {
  const { cdcKernels, plainKernel } = config.extractor;
  if (options.reparameterised) {
    const k = Math.max(plainKernel, ...cdcKernels);
    const names = mergedNames(prefix);
    return g.conv2d(x, g.derivedParam(names.weight, [cout, cin, k, k]), g.derivedParam(names.bias, [cout]));
  }
  let sum = g.conv2d(x, g.param(`${prefix}.plain.weight`, [cout, cin, plainKernel, plainKernel]), g.param(`${prefix}.plain.bias`, [cout]));
  cdcKernels.forEach((k, i) => {
    const branch = g.conv2d(x, g.param(`${prefix}.branches.${i}.weight`, [cout, cin, k, k]), g.param(`${prefix}.branches.${i}.bias`, [cout]));
    const centre = g.conv2d(x, g.derivedParam(cdcCentreName(prefix, i), [cout, cin, 1, 1]));
    sum = g.add(sum, g.add(branch, centre));
  });
  return sum;
}

export function buildExtractorGraph(config: ModelConfig, options: ExtractorOptions = { reparameterised: true }): Graph {
  const g = new GraphBuilder();
  const { dim, stages } = config.extractor;
  const E = config.embedDim;
  let f = g.gelu(mscdc(g, g.input(EXTRACTOR_INPUT, options.size ? [options.size[0], 3, options.size[1], options.size[2]] : [null, 3, null, null]), 'extractor.stem', 3, dim, config, options));
  let width = dim;
  for (let s = 0; s < stages; s++) {
    const p = `extractor.stages.${s}`;
    f = g.gelu(g.conv2d(f, g.param(`${p}.down.weight`, [width * 2, width, 3, 3]), g.param(`${p}.down.bias`, [width * 2]), 2));
    width *= 2;
    f = g.gelu(mscdc(g, f, `${p}.mscdc`, width, width, config, options));
  }
  // One embedding for all crops of the image: mean over positions, then over crops -> (1, width).
  const pooled = g.mean(g.mean(f, [2, 3], false), [0], true);
  const [fc1, fc2] = ['fc1', 'fc2'].map((n, i) => ({
    w: g.param(`extractor.head.${n}.weight`, [E, i === 0 ? width : E]),
    b: g.param(`extractor.head.${n}.bias`, [E]),
  }));
  const h = g.gelu(g.linear(pooled, fc1.w, fc1.b));
  g.output(EXTRACTOR_OUTPUT, g.linear(h, fc2.w, fc2.b));
  return g.build();
}

/** One DP-SSM block (Mamba scan with degradation prompts, then a conv FFN with HEB). */
function dpssmBlock(g: GraphBuilder, x: Value, embedding: Value, prefix: string, width: number, config: ModelConfig): Value {
  const p = (name: string, shape: number[]) => g.param(`${prefix}.${name}`, shape);
  const Di = config.expand * width;
  const N = config.dState;
  const R = dtRank(width);
  const P = config.promptDim;

  // Degradation prompts: one set per image, from the embedding alone.
  const prompt = g.gelu(g.linear(embedding, p('prompt.fc.weight', [P, config.embedDim]), p('prompt.fc.bias', [P])));
  const alphaDelta = g.exp(g.linear(prompt, p('prompt.delta.weight', [Di, P]), p('prompt.delta.bias', [Di])));
  const alphaB = g.affine(g.linear(prompt, p('prompt.b.weight', [N, P]), p('prompt.b.bias', [N])), 1, 1);
  const alphaC = g.affine(g.linear(prompt, p('prompt.c.weight', [N, P]), p('prompt.c.bias', [N])), 1, 1);

  let t = g.toTokens(x);
  const h = g.layerNorm(t, p('norm1.weight', [width]), p('norm1.bias', [width]));
  const [xsRaw, z] = g.split(g.linear(h, p('ssm.in_proj.weight', [2 * Di, width])), [Di, Di]);
  const xsConv = g.conv2d(g.fromTokens(xsRaw, x), p('ssm.conv.weight', [Di, 1, 3, 3]), p('ssm.conv.bias', [Di]), 1, Di);
  const xs = g.toTokens(g.silu(xsConv));
  const [dtr, Bm, Cm] = g.split(g.linear(xs, p('ssm.x_proj.weight', [R + 2 * N, Di])), [R, N, N]);
  const delta = g.mul(g.softplus(g.linear(dtr, p('ssm.dt_proj.weight', [Di, R]), p('ssm.dt_proj.bias', [Di]))), alphaDelta);
  const A = g.affine(g.exp(p('ssm.A_log', [Di, N])), -1, 0);
  const y = g.selectiveScan(xs, delta, A, g.mul(Bm, alphaB), g.mul(Cm, alphaC), p('ssm.D', [Di]));
  const gated = g.mul(y, g.silu(z));
  t = g.add(t, g.mul(g.linear(gated, p('ssm.out_proj.weight', [width, Di])), p('skip1', [width])));

  const x1 = g.fromTokens(t, x);
  const h2 = g.fromTokens(g.layerNorm(t, p('norm2.weight', [width]), p('norm2.bias', [width])), x);
  const f1 = g.conv2d(h2, p('ffn.fc1.weight', [2 * width, width, 1, 1]), p('ffn.fc1.bias', [2 * width]));
  const f2 = g.gelu(g.conv2d(f1, p('ffn.dw.weight', [2 * width, 1, 3, 3]), p('ffn.dw.bias', [2 * width]), 1, 2 * width));
  const f = g.conv2d(f2, p('ffn.fc2.weight', [width, 2 * width, 1, 1]), p('ffn.fc2.bias', [width]));
  // HEB: boost what differs from the channel's global mean.
  const heb = g.add(f, g.mul(g.sub(f, g.mean(f, [2, 3], true)), p('heb.alpha', [1])));
  return g.add(x1, g.channelScale(heb, p('skip2', [width])));
}

function stage(g: GraphBuilder, x: Value, embedding: Value, prefix: string, count: number, width: number, config: ModelConfig): Value {
  for (let j = 0; j < count; j++) x = dpssmBlock(g, x, embedding, `${prefix}.${j}`, width, config);
  return x;
}

export function buildRestorerGraph(config: ModelConfig, options: RestorerOptions = {}): Graph {
  const g = new GraphBuilder();
  const C = config.dim;
  const W = [0, 1, 2, 3].map((l) => levelWidth(config, l));
  const image = g.input(RESTORER_INPUTS[0], [1, 3, options.size?.[0] ?? null, options.size?.[1] ?? null]);
  const embedding = g.input(RESTORER_INPUTS[1], [1, config.embedDim]);

  let x = g.conv2d(image, g.param('shallow.weight', [C, 3, 3, 3]), g.param('shallow.bias', [C]));
  const skips: Value[] = [];
  for (let l = 0; l < 3; l++) {
    x = stage(g, x, embedding, `encoder.${l}`, config.blocks[l], W[l], config);
    skips.push(x);
    x = g.pixelUnshuffle(g.conv2d(x, g.param(`downsample.${l}.weight`, [W[l] / 2, W[l], 3, 3])));
  }
  x = stage(g, x, embedding, 'latent', config.blocks[3], W[3], config);
  for (let l = 2; l >= 0; l--) {
    x = g.pixelShuffle(g.conv2d(x, g.param(`upsample.${l}.weight`, [2 * W[l + 1], W[l + 1], 3, 3])));
    x = g.concat([x, skips[l]], 1);
    if (l > 0) x = g.conv2d(x, g.param(`reduce.${l}.weight`, [W[l], 2 * W[l], 1, 1]));
    x = stage(g, x, embedding, `decoder.${l}`, config.blocks[l], l > 0 ? W[l] : 2 * W[0], config);
  }
  x = stage(g, x, embedding, 'refinement', config.refinementBlocks, 2 * W[0], config);
  const residual = g.conv2d(x, g.param('output.weight', [3, 2 * C, 3, 3]), g.param('output.bias', [3]));
  g.output(RESTORER_OUTPUT, g.add(image, residual));
  return g.build();
}
