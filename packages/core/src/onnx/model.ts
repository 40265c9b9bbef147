import { encodeMessage, type Field } from './protobuf.js';

/** Attribute values we emit; arrays of numbers are INTS unless wrapped as { floats }. */
export type Attr = number | string | number[] | { float: number } | { floats: number[] };

const DataType = { FLOAT: 1, INT64: 7 } as const;
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export const OPSET = 17;
export const MS_DOMAIN = 'com.microsoft';

function attribute(name: string, value: Attr): Field[] {
  const fields: Field[] = [{ f: 1, str: name }];
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    fields.push({ f: 3, int: value }, { f: 20, int: AttrType.INT });
  } else if (typeof value === 'string') {
    fields.push({ f: 4, str: value }, { f: 20, int: AttrType.STRING });
  } else if (Array.isArray(value)) {
    for (const v of value) fields.push({ f: 8, int: v });
    fields.push({ f: 20, int: AttrType.INTS });
  } else if ('float' in value) {
    fields.push({ f: 2, float: value.float }, { f: 20, int: AttrType.FLOAT });
  } else {
    for (const v of value.floats) fields.push({ f: 7, float: v });
    fields.push({ f: 20, int: AttrType.FLOATS });
  }
  return fields;
}

/** Builds one ONNX graph node by node; names are generated so callers only pass values around. */
export class OnnxGraphBuilder {
  private nodes: Field[][] = [];
  private initializers: Field[][] = [];
  private inputs: Field[][] = [];
  private outputs: Field[][] = [];
  private counter = 0;
  private usesMsDomain = false;

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, outputCount = 1, domain = ''): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(opType));
    const fields: Field[] = [
      ...inputs.map((i) => ({ f: 1, str: i })),
      ...outputs.map((o) => ({ f: 2, str: o })),
      { f: 3, str: outputs[0] },
      { f: 4, str: opType },
      ...Object.entries(attrs).map(([k, v]) => ({ f: 5, msg: attribute(k, v) })),
    ];
    if (domain) {
      fields.push({ f: 7, str: domain });
      if (domain === MS_DOMAIN) this.usesMsDomain = true;
    }
    this.nodes.push(fields);
    return outputs;
  }

  /** Copies `input` to a value with a chosen name (graph outputs). */
  identityAs(input: string, outputName: string): void {
    this.nodes.push([{ f: 1, str: input }, { f: 2, str: outputName }, { f: 3, str: outputName }, { f: 4, str: 'Identity' }]);
  }

  /**
   * Gives the value a node computes a chosen name (graph outputs), where it and every reader refer
   * to it. Returns false for a value no node computes (an input or an initializer): copy it with
   * identityAs instead. Saves an Identity per output, which onnxruntime runs as a copy.
   */
  renameComputed(name: string, newName: string): boolean {
    const names = (x: Field): x is { f: number; str: string } => (x.f === 1 || x.f === 2) && 'str' in x && x.str === name;
    if (!this.nodes.some((fields) => fields.some((x) => x.f === 2 && names(x)))) return false;
    for (const fields of this.nodes) for (const x of fields) if (names(x)) x.str = newName;
    return true;
  }

  /** One-output node. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, domain = ''): string {
    return this.node(opType, inputs, attrs, 1, domain)[0];
  }

  initializer(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push([
      ...dims.map((d) => ({ f: 1, int: d })),
      { f: 2, int: data instanceof Float32Array ? DataType.FLOAT : DataType.INT64 },
      { f: 8, str: name },
      { f: 9, raw },
    ]);
    return name;
  }

  ints(values: number[]): string {
    return this.initializer(this.fresh('ints'), [values.length], BigInt64Array.from(values.map(BigInt)));
  }

  scalar(value: number): string {
    return this.initializer(this.fresh('scalar'), [], Float32Array.of(value));
  }

  private valueInfo(name: string, dims: (number | string)[]): Field[] {
    const dimFields = dims.map((d) => ({ f: 1, msg: [typeof d === 'number' ? { f: 1, int: d } : { f: 2, str: d }] }));
    return [
      { f: 1, str: name },
      { f: 2, msg: [{ f: 1, msg: [{ f: 1, int: DataType.FLOAT }, { f: 2, msg: dimFields }] }] },
    ];
  }

  /** Graph inputs and outputs are float32; dims are numbers or symbolic names. */
  input(name: string, dims: (number | string)[]): string {
    this.inputs.push(this.valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: (number | string)[]): void {
    this.outputs.push(this.valueInfo(name, dims));
  }

  /** Serialises the ModelProto. */
  toBytes(graphName: string): Uint8Array {
    const graph: Field[] = [
      ...this.nodes.map((msg) => ({ f: 1, msg })),
      { f: 2, str: graphName },
      ...this.initializers.map((msg) => ({ f: 5, msg })),
      ...this.inputs.map((msg) => ({ f: 11, msg })),
      ...this.outputs.map((msg) => ({ f: 12, msg })),
    ];
    const opsets: Field[] = [{ f: 8, msg: [{ f: 1, str: '' }, { f: 2, int: OPSET }] }];
    if (this.usesMsDomain) opsets.push({ f: 8, msg: [{ f: 1, str: MS_DOMAIN }, { f: 2, int: 1 }] });
    return encodeMessage([
      { f: 1, int: 8 }, // ir_version 8 (opset 17 era)
      { f: 2, str: 'dpmambair' },
      ...opsets,
      { f: 7, msg: graph },
    ]);
  }
}
