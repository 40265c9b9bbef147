import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { escapeForVue, extractSection, rewriteLinks } from '../scripts/markdown.js';

const root = resolve(import.meta.dirname, '..', '..', '..');

test('extractSection: from a heading to the next one of the same or higher level', () => {
  const md = '# T\n\n## A\na\n### A1\nx\n## B\nb\n';
  assert.equal(extractSection(md, /^## A/m), '## A\na\n### A1\nx\n');
  assert.equal(extractSection(md, /^## B/m), '## B\nb\n');
  assert.equal(extractSection(md, /^## C/m), undefined);
});

test('escapeForVue: pseudo-tags and mustaches outside code are escaped, code and HTML are kept', () => {
  const md = 'write <name>.json and {{ x }}\n`<name>` stays\n```\n<config> {{ y }}\n```\n<br> and <details> stay';
  const out = escapeForVue(md);
  assert.match(out, /write &lt;name>\.json and &#123;&#123; x \}\}/);
  assert.match(out, /`<name>` stays/);
  assert.match(out, /\n<config> \{\{ y \}\}\n/);
  assert.match(out, /<br> and <details> stay/);
});

test('rewriteLinks: repository links become paths, web links stay', () => {
  const md = 'see [the spec](../docs/model-spec.md), [web](https://example.com), [gone](nothing-here.md) ![img](x.png)';
  const out = rewriteLinks(md, 'models', root);
  assert.match(out, /the spec \(`docs\/model-spec\.md`\)/);
  assert.match(out, /\[web\]\(https:\/\/example\.com\)/);
  assert.match(out, /, gone /);
  assert.match(out, /_\(image: `models\/x\.png`\)_/);
});

test('rewriteLinks: publishable images keep showing', () => {
  const out = rewriteLinks('![shot](../../samples/astronaut.png) ![missing](nope.png)', 'apps/figma-plugin', root, (p) => `/pub/${p.split('/').pop()}`);
  assert.match(out, /!\[shot\]\(\/pub\/astronaut\.png\)/);
  assert.match(out, /_\(image: `apps\/figma-plugin\/nope\.png`\)_/);
});
