import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

/**
 * README.md's "Inside your own Express gateway" shows the examples' code; the examples are what the e2e
 * tests run. Each example's `// #region recipe` … `// #endregion recipe` must appear there as one whole
 * code block, word for word.
 */
const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const section = /^## Inside your own Express gateway\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';

function recipe(path: string): string {
  const source = readFileSync(new URL(path, root), 'utf8');
  const region = /^\/\/ #region recipe\n([\s\S]*?)^\/\/ #endregion recipe$/m.exec(source)?.[1];
  if (region === undefined) throw new Error(`${path} has no "// #region recipe" … "// #endregion recipe"`);
  return region;
}

describe('README recipes', () => {
  it('finds the section', () => {
    expect(section).not.toBe('');
  });

  it.each([
    'examples/mount-router/create-host-app.ts',
    'examples/single-middlewares/create-host-app.ts',
    'examples/host-proxy/create-host-app.ts',
  ])('shows %s word for word, as one code block', (path) => {
    expect(section).toContain(`\`\`\`ts\n${recipe(path)}\`\`\`\n`);
  });
});
