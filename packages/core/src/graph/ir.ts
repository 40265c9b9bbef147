/**
 * The typed graph every backend runs. The network is defined once (model/dpmambair.ts) by calling
 * a GraphBuilder; backends compile the resulting node list (ONNX) or interpret it (reference, tfjs).
 *
 * Layouts: images are NCHW; token tensors are (N, L, C) with L = H*W in raster order.
 * Shapes are tracked with `null` for dimensions only known at run time (batch, height, width).
 */
export type Dim = number | null;
export type Shape = Dim[];

export interface Value {
  id: number;
  shape: Shape;
}

/** Every op the network uses. A backend must implement all of them or name the one it lacks. */
export type Op =
  | { op: 'conv2d'; x: Value; weight: Value; bias?: Value; stride: number; groups: number }
  | { op: 'linear'; x: Value; weight: Value; bias?: Value }
  | { op: 'layerNorm'; x: Value; weight: Value; bias: Value; eps: number }
  | { op: 'gelu' | 'silu' | 'softplus' | 'exp'; x: Value }
  | { op: 'affine'; x: Value; scale: number; shift: number }
  | { op: 'add' | 'sub' | 'mul'; a: Value; b: Value }
  | { op: 'channelScale'; x: Value; scale: Value }
  | { op: 'toTokens'; x: Value }
  | { op: 'fromTokens'; x: Value; like: Value }
  | { op: 'split'; x: Value; sizes: number[] }
  | { op: 'concat'; xs: Value[]; axis: number }
  | { op: 'pixelShuffle' | 'pixelUnshuffle'; x: Value }
  | { op: 'mean'; x: Value; axes: number[]; keepDims: boolean }
  | { op: 'selectiveScan'; x: Value; delta: Value; A: Value; B: Value; C: Value; D: Value };

export type OpName = Op['op'];

export const OP_NAMES: readonly OpName[] = [
  'conv2d', 'linear', 'layerNorm', 'gelu', 'silu', 'softplus', 'exp', 'affine', 'add', 'sub', 'mul',
  'channelScale', 'toTokens', 'fromTokens', 'split', 'concat', 'pixelShuffle', 'pixelUnshuffle',
  'mean', 'selectiveScan',
];

export type Node = Op & { outputs: Value[] };

export interface GraphInput {
  name: string;
  value: Value;
}

export interface GraphParam {
  name: string;
  value: Value;
  /** Computed from stored parameters when weights load (withDerivedParams in model/parameters.ts), not stored in files. */
  derived: boolean;
}

export interface Graph {
  inputs: GraphInput[];
  /** Parameters, by name, in first-use order. Shapes are exact. */
  params: GraphParam[];
  nodes: Node[];
  outputs: { name: string; value: Value }[];
}
