import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchId, jobId, redisConnection, type ImageJobOptions } from './protocol.js';

const options: ImageJobOptions = { tile: 512, overlap: 32, format: 'png', quality: 90, maxPixels: 1e8 };

test('a job id follows the batch, the content and the options, not the file name', () => {
  const batch = batchId('a'.repeat(64), '/out');
  const bytes = new Uint8Array([1, 2, 3]);
  assert.equal(jobId(batch, bytes, options), jobId(batch, Uint8Array.from(bytes), { ...options }));
  assert.notEqual(jobId(batch, bytes, options), jobId(batch, new Uint8Array([1, 2, 4]), options));
  assert.notEqual(jobId(batch, bytes, options), jobId(batch, bytes, { ...options, format: 'webp' }));
  assert.notEqual(jobId(batch, bytes, options), jobId(batchId('b'.repeat(64), '/out'), bytes, options));
  assert.match(jobId(batch, bytes, options), /^[0-9a-f]{16}-[0-9a-f]{32}$/); // BullMQ ids: no ':' and not an integer
});

test('redis URLs', () => {
  assert.deepEqual(redisConnection('redis://127.0.0.1:6390'), { host: '127.0.0.1', port: 6390 });
  assert.deepEqual(redisConnection('rediss://u:p%40ss@cache.example:7000/2'), { host: 'cache.example', port: 7000, username: 'u', password: 'p@ss', db: 2, tls: {} });
  assert.throws(() => redisConnection('127.0.0.1:6379'), /must start with redis:\/\/|not a URL/);
  assert.throws(() => redisConnection('http://x'), /must start with redis:\/\//);
});
