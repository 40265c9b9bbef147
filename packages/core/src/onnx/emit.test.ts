import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getConfig } from '../model/config.js';
import { buildRestorerGraph } from '../model/dpmambair.js';
import { randomParams } from '../model/init.js';
import { prepareModel } from '../model/prepare.js';
import { emitOnnx, emitOptionsFor } from './emit.js';

/** The op_type of every node of an ONNX model (ModelProto.graph = 7, GraphProto.node = 1, NodeProto.op_type = 4). */
function opTypes(model: Uint8Array): string[] {
  const fields = (bytes: Uint8Array) => {
    const out: { field: number; bytes?: Uint8Array }[] = [];
    let i = 0;
    const varint = () => {
      let v = 0;
      for (let shift = 0; ; shift += 7) {
        const b = bytes[i++];
        v += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) return v;
      }
    };
    while (i < bytes.length) {
      const key = varint();
      const wire = key & 7;
      if (wire === 0) varint();
      else if (wire === 5) i += 4;
      else if (wire === 1) i += 8;
      else if (wire === 2) {
        const n = varint();
        out.push({ field: Math.floor(key / 8), bytes: bytes.subarray(i, i + n) });
        i += n;
      } else throw new Error(`wire type ${wire}`);
      if (wire !== 2) out.push({ field: Math.floor(key / 8) });
    }
    return out;
  };
  const graph = fields(model).find((f) => f.field === 7)!.bytes!;
  return fields(graph).filter((f) => f.field === 1).map((node) => new TextDecoder().decode(fields(node.bytes!).find((f) => f.field === 4)!.bytes));
}
const count = (ops: string[], op: string) => ops.filter((o) => o === op).length;

test('layerNorm is written over channels for onnxruntime-web\'s wasm build only', () => {
  assert.deepEqual(emitOptionsFor('wasm'), { layerNorm: 'channels' });
  for (const ep of ['cpu', 'cuda', 'webgpu']) assert.deepEqual(emitOptionsFor(ep), {});
});

test('small\'s restorer over channels: no LayerNormalization left, two 1x1 mean Convs per norm, as many Transposes', () => {
  const config = getConfig('small');
  const { params } = prepareModel(config, randomParams(config, 1));
  const graph = buildRestorerGraph(config);
  const norms = graph.nodes.filter((n) => n.op === 'layerNorm').length;
  const op = opTypes(emitOnnx(graph, params));
  const channels = opTypes(emitOnnx(graph, params, { layerNorm: 'channels' }));
  assert.equal(count(op, 'LayerNormalization'), norms);
  assert.equal(count(channels, 'LayerNormalization'), 0);
  assert.equal(count(channels, 'Conv'), count(op, 'Conv') + 2 * norms);
  // Each block's first norm gains a Transpose (to tokens after the norm) and its second loses one
  // (it is computed on the residual's fromTokens instead of on tokens turned back into an image).
  assert.equal(count(channels, 'Transpose'), count(op, 'Transpose'));
});
