/**
 * A FAKE of the small part of Figma's plugin API that the plugin's main thread uses (see
 * src/main/figma-like.ts). It is not Figma: it models just enough (nodes with frozen fills,
 * images by hash, createImage's format and 4096 px checks, clone, commitUndo with a real undo
 * stack, selection events, the UI channel) to test the main-thread logic, in Node and, bundled,
 * in the Chromium test page that plays Figma's role. No Node or DOM APIs here.
 */
import type { FigmaHost, NodeLike, PaintLike, ParentLike } from '../src/main/figma-like.js';

export const FAKE_MAX_IMAGE_SIDE = 4096;

type Undoable = () => void;

/** Width and height from a PNG's IHDR or a JPEG's SOF marker; null for anything else. */
export function encodedSize(bytes: Uint8Array): { width: number; height: number; format: 'png' | 'jpeg' | 'gif' } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    return { width: view.getUint32(16), height: view.getUint32(20), format: 'png' };
  }
  if (bytes.length >= 10 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) {
    return { width: view.getUint16(6, true), height: view.getUint16(8, true), format: 'gif' };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return null;
      const marker = bytes[i + 1];
      const length = view.getUint16(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: view.getUint16(i + 5), width: view.getUint16(i + 7), format: 'jpeg' };
      }
      i += 2 + length;
    }
  }
  return null;
}

/** Minimal PNG-looking bytes (signature + IHDR) of a given size, for tests that never decode. */
export function fakePngBytes(width: number, height: number, salt = 0): Uint8Array {
  const b = new Uint8Array(33 + 4);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const v = new DataView(b.buffer);
  v.setUint32(16, width);
  v.setUint32(20, height);
  b.set([8, 6, 0, 0, 0], 24);
  v.setUint32(33, salt);
  return b;
}

/** Minimal GIF-looking bytes (header + logical screen size). */
export function fakeGifBytes(width: number, height: number): Uint8Array {
  const b = new Uint8Array(13);
  b.set([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
  const v = new DataView(b.buffer);
  v.setUint16(6, width, true);
  v.setUint16(8, height, true);
  return b;
}

function hashBytes(bytes: Uint8Array): string {
  // FNV-1a, twice with different seeds: a stable fake of Figma's content hash.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193) >>> 0;
    b = Math.imul(b ^ bytes[i], 0x5bd1e995) >>> 0;
  }
  return (a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0')).repeat(2) + bytes.length.toString(16).padStart(8, '0');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

export class FakeImage {
  constructor(
    readonly hash: string,
    private readonly bytes: Uint8Array,
    private readonly size: { width: number; height: number },
  ) {}
  async getBytesAsync(): Promise<Uint8Array> {
    return this.bytes.slice();
  }
  async getSizeAsync(): Promise<{ width: number; height: number }> {
    return { ...this.size };
  }
}

let nextId = 1;

/** A node that can hold children: a page, or a frame/group/instance. */
export type FakeParent = FakePage | (FakeNode & { children: FakeNode[] });

export class FakeNode implements NodeLike {
  readonly id: string;
  parent: FakeParent | null = null;
  removed = false;
  private _fills: readonly PaintLike[] | symbol | undefined;
  private _name: string;
  private _x = 0;
  private _y = 0;
  readonly children?: FakeNode[];

  constructor(
    readonly figma: FakeFigma,
    readonly type: string,
    name: string,
    init: { fills?: PaintLike[] | symbol; width?: number; height?: number; x?: number; y?: number; children?: FakeNode[]; id?: string } = {},
  ) {
    this.id = init.id ?? `${nextId++}:1`;
    this._name = name;
    this._fills = typeof init.fills === 'symbol' || init.fills === undefined ? init.fills : deepFreeze(init.fills.map((p) => ({ ...p })));
    this.width = init.width ?? 100;
    this.height = init.height ?? 100;
    this._x = init.x ?? 0;
    this._y = init.y ?? 0;
    if (type === 'FRAME' || type === 'GROUP' || type === 'INSTANCE' || init.children) {
      this.children = [];
      for (const c of init.children ?? []) this.appendChild(c);
    }
    figma.register(this);
  }

  readonly width: number;
  readonly height: number;

  get name(): string {
    return this._name;
  }
  set name(v: string) {
    const old = this._name;
    this._name = v;
    this.figma.record(() => (this._name = old));
  }
  get x(): number {
    return this._x;
  }
  set x(v: number) {
    const old = this._x;
    this._x = v;
    this.figma.record(() => (this._x = old));
  }
  get y(): number {
    return this._y;
  }
  set y(v: number) {
    const old = this._y;
    this._y = v;
    this.figma.record(() => (this._y = old));
  }

  /** Like Figma: a frozen array of frozen paints; assigning needs a new array of valid paints. */
  get fills(): readonly PaintLike[] | symbol | undefined {
    return this._fills;
  }
  set fills(value: readonly PaintLike[] | symbol | undefined) {
    if (this._fills === undefined) throw new TypeError(`fake figma: a ${this.type} node has no fills`);
    if (!Array.isArray(value)) throw new TypeError('fake figma: fills must be an array of paints');
    for (const p of value) {
      if (p.type === 'IMAGE' && p.imageHash && !this.figma.images.has(p.imageHash)) throw new Error(`fake figma: unknown image hash ${p.imageHash}`);
    }
    const old = this._fills;
    this._fills = deepFreeze(value.map((p) => ({ ...p })));
    this.figma.fillWrites++;
    this.figma.record(() => (this._fills = old));
  }

  appendChild(child: FakeNode): void {
    this.insertChild(this.children!.length, child);
  }
  insertChild(index: number, child: FakeNode): void {
    if (!this.children) throw new Error(`fake figma: a ${this.type} cannot have children`);
    if (this.type === 'INSTANCE') throw new Error('fake figma: cannot insert into an instance');
    this.figma.move(child, this, index);
  }

  clone(): FakeNode {
    const copy = new FakeNode(this.figma, this.type, this._name, {
      fills: typeof this._fills === 'symbol' || this._fills === undefined ? this._fills : this._fills.map((p) => ({ ...p })),
      width: this.width,
      height: this.height,
      x: this._x,
      y: this._y,
      children: this.children?.map((c) => c.clone()),
    });
    // Figma: "By default, the duplicate will be parented under figma.currentPage".
    this.figma.currentPage.appendChild(copy);
    return copy;
  }

  remove(): void {
    const parent = this.parent;
    if (!parent) return;
    const i = parent.children!.indexOf(this);
    parent.children!.splice(i, 1);
    this.parent = null;
    this.removed = true;
    this.figma.record(() => {
      parent.children!.splice(i, 0, this);
      this.parent = parent;
      this.removed = false;
    });
  }
}

export class FakePage implements ParentLike {
  readonly type = 'PAGE';
  readonly id = '0:1';
  readonly children: FakeNode[] = [];
  private _selection: readonly FakeNode[] = [];
  constructor(private readonly figma: FakeFigma) {}
  get selection(): readonly FakeNode[] {
    return this._selection;
  }
  set selection(nodes: readonly FakeNode[]) {
    this._selection = Object.freeze([...nodes]);
    this.figma.emit('selectionchange');
  }
  appendChild(child: FakeNode): void {
    this.insertChild(this.children.length, child);
  }
  insertChild(index: number, child: FakeNode): void {
    this.figma.move(child, this, index);
  }
}

/** A fake `figma` global: enough of PluginAPI for src/main, with inspection helpers for tests. */
export class FakeFigma implements FigmaHost {
  readonly mixed = Symbol('figma.mixed');
  readonly images = new Map<string, FakeImage>();
  readonly currentPage: FakePage;
  readonly notifications: { message: string; error: boolean }[] = [];
  /** Messages the plugin posted to its UI. */
  readonly toUi: unknown[] = [];
  fillWrites = 0;
  commitCount = 0;
  private readonly nodes = new Map<string, FakeNode>();
  private readonly listeners = new Map<string, (() => void)[]>();
  private pending: Undoable[] = [];
  private readonly undoStack: Undoable[][] = [];
  /** Called for every message posted to the UI (the Chromium host page relays it to the iframe). */
  onUiMessage?: (message: unknown) => void;

  readonly ui = {
    onmessage: undefined as ((message: any, props: any) => void) | undefined,
    postMessage: (message: unknown) => {
      this.toUi.push(message);
      this.onUiMessage?.(message);
    },
  };

  constructor() {
    this.currentPage = new FakePage(this);
  }

  // ---- the API surface the plugin uses
  getImageByHash(hash: string): FakeImage | null {
    return this.images.get(hash) ?? null;
  }
  createImage(bytes: Uint8Array): FakeImage {
    const size = encodedSize(bytes);
    if (!size) throw new Error('fake figma: createImage accepts PNG, JPEG or GIF bytes');
    if (size.width > FAKE_MAX_IMAGE_SIDE || size.height > FAKE_MAX_IMAGE_SIDE) throw new Error(`fake figma: image is ${size.width}x${size.height}, the limit is ${FAKE_MAX_IMAGE_SIDE} px per side`);
    return this.addImage(bytes, size);
  }
  async getNodeByIdAsync(id: string): Promise<FakeNode | null> {
    return this.nodes.get(id) ?? null;
  }
  commitUndo(): void {
    this.commitCount++;
    if (this.pending.length) this.undoStack.push(this.pending);
    this.pending = [];
  }
  notify(message: string, options?: { error?: boolean }): { cancel(): void } {
    this.notifications.push({ message, error: !!options?.error });
    return { cancel() {} };
  }
  on(event: 'selectionchange', callback: () => void): void {
    const list = this.listeners.get(event) ?? [];
    list.push(callback);
    this.listeners.set(event, list);
  }

  // ---- test helpers (not Figma API)
  /** Adds an image as if the designer had dropped it in; its size is given or read from the bytes. */
  addImage(bytes: Uint8Array, size?: { width: number; height: number }): FakeImage {
    const hash = hashBytes(bytes);
    const s = size ?? encodedSize(bytes);
    if (!s) throw new Error('fake figma: unknown image size');
    const image = this.images.get(hash) ?? new FakeImage(hash, bytes.slice(), { width: s.width, height: s.height });
    this.images.set(hash, image);
    return image;
  }
  /** Creates a node on the current page (or under `parent`). */
  node(type: string, name: string, init: ConstructorParameters<typeof FakeNode>[3] = {}, parent?: FakeNode): FakeNode {
    const n = new FakeNode(this, type, name, init);
    (parent ?? this.currentPage).appendChild(n);
    this.pending = []; // building the scene is not part of the plugin's undo history
    return n;
  }
  /** An IMAGE paint as Figma gives it. */
  imagePaint(hash: string, extra: Partial<Record<string, unknown>> = {}): PaintLike {
    return { type: 'IMAGE', scaleMode: 'FILL', imageHash: hash, visible: true, opacity: 1, blendMode: 'NORMAL', filters: { exposure: 0, contrast: 0, saturation: 0, temperature: 0, tint: 0, highlights: 0, shadows: 0 }, ...extra } as PaintLike;
  }
  select(...nodes: FakeNode[]): void {
    this.currentPage.selection = nodes;
  }
  /** What pressing ⌘Z does: reverts everything since the last commitUndo, or the last committed step. */
  triggerUndo(): boolean {
    const step = this.pending.length ? this.pending : this.undoStack.pop();
    this.pending = [];
    if (!step) return false;
    for (let i = step.length - 1; i >= 0; i--) step[i]();
    return true;
  }
  get undoSteps(): number {
    return this.undoStack.length + (this.pending.length ? 1 : 0);
  }
  /** Messages of one type posted to the UI. */
  posted<T = any>(type: string): T[] {
    return this.toUi.filter((m) => (m as { type?: string }).type === type) as T[];
  }

  // ---- internals
  register(node: FakeNode): void {
    this.nodes.set(node.id, node);
  }
  record(undo: Undoable): void {
    this.pending.push(undo);
  }
  emit(event: string): void {
    for (const cb of this.listeners.get(event) ?? []) cb();
  }
  move(child: FakeNode, parent: FakeParent | FakeNode, index: number): void {
    const oldParent = child.parent;
    const oldIndex = oldParent ? oldParent.children!.indexOf(child) : -1;
    if (oldParent) oldParent.children!.splice(oldIndex, 1);
    const list = parent.children!;
    list.splice(Math.min(index, list.length), 0, child);
    child.parent = parent as FakeParent;
    this.record(() => {
      list.splice(list.indexOf(child), 1);
      child.parent = oldParent;
      if (oldParent) oldParent.children!.splice(oldIndex, 0, child);
      else child.removed = true;
    });
  }
}
