/** Helpers for including other folders' markdown in the VitePress tree. */
import { existsSync } from 'node:fs';
import { join, normalize } from 'node:path';

/** The section that starts at `heading` and runs to the next heading of the same level (or the end). */
export function extractSection(text: string, heading: RegExp): string | undefined {
  const m = heading.exec(text);
  if (!m) return undefined;
  const level = /^#+/.exec(text.slice(m.index))![0].length;
  const rest = text.slice(m.index);
  const next = new RegExp(`^#{1,${level}} `, 'm');
  const after = rest.slice(m[0].length);
  const end = next.exec(after);
  return end ? rest.slice(0, m[0].length + end.index) : rest;
}

const HTML_TAGS = new Set(['a', 'b', 'br', 'code', 'details', 'div', 'em', 'i', 'img', 'kbd', 'p', 'pre', 'span', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul', 'ol', 'li', 'svg', 'picture', 'source', 'hr']);

/**
 * Makes markdown safe for VitePress's Vue compiler: outside code fences and code spans,
 * `<word>` that is not a plain HTML tag becomes `&lt;word&gt;`, and `{{` is escaped.
 */
export function escapeForVue(md: string): string {
  const out: string[] = [];
  let fence = false;
  for (const line of md.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fence = !fence;
      out.push(line);
      continue;
    }
    if (fence) {
      out.push(line);
      continue;
    }
    // split on code spans; escape only the text between them
    const parts = line.split(/(`+[^`]*`+)/);
    out.push(parts.map((p, i) => (i % 2 ? p : p.replace(/<(\/?)([A-Za-z][\w-]*)([^>]*)>/g, (all, _slash, name) => (HTML_TAGS.has(name.toLowerCase()) ? all : `&lt;${all.slice(1)}`)).replace(/\{\{/g, '&#123;&#123;'))).join(''));
  }
  // Vue also interpolates {{ }} inside inline code: wrap such lines in v-pre spans is overkill; escape braces in spans too.
  return out.join('\n').replace(/(`[^`\n]*)\{\{([^`\n]*`)/g, '$1&#123;&#123;$2');
}

/**
 * Relative links in an included file point into the repository, not the site: turn them into
 * plain text naming the path (from the repo root) so they are neither dead links nor broken.
 */
export function rewriteLinks(md: string, fromDir: string, root: string, publishImage?: (repoPath: string) => string | undefined): string {
  return md.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)\)/g, (all, bang, text, href: string) => {
    if (/^(https?:|mailto:|#)/.test(href)) return all;
    const path = normalize(join(fromDir, href.split('#')[0]));
    if (bang) {
      // Images the site can publish (copied into public/) keep showing; others become a mention.
      const url = existsSync(join(root, path)) ? publishImage?.(path) : undefined;
      return url ? `![${text}](${url})` : `_(image: \`${path}\`)_`;
    }
    return existsSync(join(root, path)) ? `${text} (\`${path}\`)` : text;
  });
}
