/**
 * No object literal in the service's code defines an accessor (`{ get x() { … } }`). V8 (Node 20)
 * keeps alive, in every young collection until the next full one, whatever the accessor functions of
 * such a literal reach; made per call on the order path (lazy margins and views), they had each
 * order's engine state promoted to the old generation, which lengthened every scavenge. Classes with
 * getters on their prototype have no such cost (see LazyAssetMargin, LazyOutcome, LazyView).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) out.push(full);
  }
  return out;
}

/** `file:line` of each accessor defined in an object literal. */
function accessorLiterals(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) && ts.isObjectLiteralExpression(node.parent)) {
      found.push(`${path.relative(process.cwd(), file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('object literals with accessors', () => {
  it('finds one in a sample (the check works)', () => {
    expect(accessorLiterals('sample.ts', 'const o = { a: 1, get b() { return 2; } };\nclass C { get d() { return 3; } }')).toEqual(['sample.ts:1']);
  });

  it('appear nowhere in src/', () => {
    const files = sourceFiles(path.join(__dirname, '..'));
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((f) => accessorLiterals(f, fs.readFileSync(f, 'utf8')))).toEqual([]);
  });
});
