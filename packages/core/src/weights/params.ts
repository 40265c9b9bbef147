/** Named float32 parameters. `get` fails naming the missing parameter instead of returning undefined. */
export class ParamStore {
  constructor(readonly tensors: Map<string, { shape: number[]; data: Float32Array }> = new Map()) {}

  get(name: string): Float32Array {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`parameter '${name}' is missing`);
    return t.data;
  }

  shape(name: string): number[] {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`parameter '${name}' is missing`);
    return t.shape;
  }

  set(name: string, shape: number[], data: Float32Array): void {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`parameter '${name}': ${data.length} values for shape [${shape}]`);
    this.tensors.set(name, { shape, data });
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }
}
