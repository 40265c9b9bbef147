/** The UI's pure parts: the tiling plan. (The degradation probe is tested in core.) */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseTile, OVERLAP, planWork } from '../src/ui/plan.js';

describe('tiling plan', () => {
  it('one tile for small images; few padded pixels for large ones', () => {
    assert.deepEqual(planWork(256, 256), { tile: 384, tiles: 1, embed: 256 * 256 * 0.15, perTile: 256 * 256 });
    const p = planWork(1024, 1024);
    assert.equal(p.tile, 384);
    assert.equal(p.tiles, 9);
    assert.equal(p.embed, 9 * 256 * 256 * 0.15);
  });
});
