/**
 * The small part of Figma's plugin API that the main thread uses, as structural types, so the
 * logic runs against the real `figma` global (code.ts checks that it fits) and against the fake
 * in test/fake-figma.ts.
 */

export interface PaintLike {
  readonly type: string;
  readonly visible?: boolean;
  /** IMAGE paints only. */
  readonly imageHash?: string | null;
  readonly scaleMode?: string;
  readonly scalingFactor?: number;
}

export interface NodeLike {
  readonly id: string;
  readonly type: string;
  name: string;
  readonly removed: boolean;
  readonly parent: ParentLike | null;
  /** Absent on nodes without fills; a symbol (figma.mixed) on text with mixed fills. */
  fills?: readonly PaintLike[] | symbol;
  readonly children?: readonly NodeLike[];
  x?: number;
  y?: number;
  readonly width?: number;
  readonly height?: number;
  clone?(): NodeLike;
}

export interface ParentLike {
  readonly type: string;
  readonly children: readonly NodeLike[];
  insertChild?(index: number, child: NodeLike): void;
  appendChild?(child: NodeLike): void;
}

export interface ImageLike {
  readonly hash: string;
  getBytesAsync(): Promise<Uint8Array>;
  getSizeAsync(): Promise<{ width: number; height: number }>;
}

export interface FigmaLike {
  readonly currentPage: { readonly selection: readonly NodeLike[] } & ParentLike;
  readonly mixed: symbol;
  getImageByHash(hash: string): ImageLike | null;
  createImage(bytes: Uint8Array): { readonly hash: string };
  getNodeByIdAsync(id: string): Promise<NodeLike | { readonly id: string; readonly type: string; readonly removed: boolean } | null>;
  commitUndo(): void;
  notify(message: string, options?: { error?: boolean; timeout?: number }): unknown;
}

/** What the controller needs on top: the UI channel and selection events. */
export interface FigmaHost extends FigmaLike {
  readonly ui: { postMessage(message: unknown): void; onmessage: ((message: any, props: any) => void) | undefined };
  on(event: 'selectionchange', callback: () => void): void;
}
