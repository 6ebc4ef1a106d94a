/**
 * Keeps money out of JavaScript numbers in the domain core and the decimal module. Uses the
 * TypeScript compiler's type checker over src/contracts/domain/*.ts (not specs) and
 * src/common/decimal/*.ts (not specs), and fails on:
 * - `parseFloat(`, `parseInt(`, `Number(`, `.toNumber(`, any `Math.` member;
 * - binary arithmetic (+ − × ÷ % ** and their assignments) or unary minus on an operand typed
 *   `number`, unless every operand is an integer counter (an integer literal, a `.length`, or a
 *   `for` loop variable) or the enclosing function is on the short allow-list below.
 * bigint arithmetic (the hot path) and string concatenation are not number arithmetic.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');
const SCANNED_FOLDERS = ['src/contracts/domain', 'src/common/decimal'];

/** `file#function` where number arithmetic counts digits, digit places or characters, never money. */
const ALLOWED_FUNCTIONS = new Set([
  'src/common/decimal/decimal.ts#decimalsOf',
  'src/common/decimal/decimal.ts#isMultipleOf',
  'src/common/decimal/decimal.ts#canonicalDecimal',
  'src/contracts/domain/hot-path.ts#linearMarginKernel',
]);

const ARITHMETIC = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.AsteriskAsteriskToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken,
]);
const FORBIDDEN_CALLS = new Set(['parseFloat', 'parseInt', 'Number']);

function sourceFiles(): string[] {
  return SCANNED_FOLDERS.flatMap((folder) =>
    fs
      .readdirSync(path.join(ROOT, folder))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
      .map((name) => path.join(ROOT, folder, name)),
  );
}

function enclosingFunctionName(node: ts.Node): string | undefined {
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
    if ((ts.isFunctionDeclaration(current) || ts.isMethodDeclaration(current)) && current.name) return current.name.getText();
  }
  return undefined;
}

function isIntegerCounter(node: ts.Expression, checker: ts.TypeChecker): boolean {
  const expression = ts.isParenthesizedExpression(node) ? node.expression : node;
  if (ts.isNumericLiteral(expression)) return Number.isInteger(Number(expression.text));
  if (ts.isPropertyAccessExpression(expression) && expression.name.text === 'length') return true;
  if (ts.isIdentifier(expression)) {
    const declaration = checker.getSymbolAtLocation(expression)?.valueDeclaration;
    return !!declaration && ts.isVariableDeclaration(declaration) && ts.isVariableDeclarationList(declaration.parent) && ts.isForStatement(declaration.parent.parent);
  }
  return false;
}

export function findNumberArithmetic(fileNames: readonly string[]): string[] {
  const program = ts.createProgram(fileNames, {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const violations: string[] = [];
  const isNumber = (node: ts.Node): boolean => (checker.getTypeAtLocation(node).getFlags() & ts.TypeFlags.NumberLike) !== 0;
  const isString = (node: ts.Node): boolean => (checker.getTypeAtLocation(node).getFlags() & ts.TypeFlags.StringLike) !== 0;

  for (const fileName of fileNames) {
    const source = program.getSourceFile(fileName);
    if (!source) throw new Error(`${fileName} was not compiled`);
    const relative = path.relative(ROOT, fileName).split(path.sep).join('/');
    const report = (node: ts.Node, what: string): void => {
      if (ALLOWED_FUNCTIONS.has(`${relative}#${enclosingFunctionName(node) ?? ''}`)) return;
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      violations.push(`${relative}:${line + 1} ${what}: ${node.getText()}`);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const callee = node.expression;
        if (ts.isIdentifier(callee) && FORBIDDEN_CALLS.has(callee.text)) report(node, `${callee.text}()`);
        if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'toNumber') report(node, '.toNumber()');
      }
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Math') report(node, 'Math');
      if (ts.isBinaryExpression(node) && ARITHMETIC.has(node.operatorToken.kind)) {
        const concatenation = node.operatorToken.kind === ts.SyntaxKind.PlusToken && (isString(node.left) || isString(node.right));
        const numeric = isNumber(node.left) || isNumber(node.right);
        if (!concatenation && numeric && !(isIntegerCounter(node.left, checker) && isIntegerCounter(node.right, checker))) {
          report(node, 'number arithmetic');
        }
      }
      if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && !ts.isNumericLiteral(node.operand) && isNumber(node.operand)) {
        report(node, 'number negation');
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return violations;
}

describe('money arithmetic in the domain core', () => {
  it('scans the expected files', () => {
    const names = sourceFiles().map((f) => path.basename(f));
    expect(names).toEqual(expect.arrayContaining(['calculator.ts', 'brackets.ts', 'hot-path.ts', 'decimal.ts']));
  });

  it('has no float parsing, Math, or arithmetic on numbers', () => {
    expect(findNumberArithmetic(sourceFiles())).toEqual([]);
  });

  it('catches what it is meant to catch (and lets counters and bigint through)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'money-scan-'));
    const file = path.join(dir, 'sample.ts');
    fs.writeFileSync(
      file,
      [
        'export function bad(price: number, qty: number, s: string, o: { toNumber(): number }): number {',
        '  const notional = price * qty;',
        '  let total = 0;',
        '  total += notional;',
        '  const parsed = parseFloat(s) + Number(s);',
        '  return Math.round(total) - o.toNumber() + -price + parsed;',
        '}',
        'export function fine(items: string[], a: bigint, b: bigint): string {',
        '  let out = "";',
        '  for (let i = 0; i < items.length - 1; i++) out += items[i + 1] + String(i);',
        '  return out + (a * b + 1n).toString();',
        '}',
        '',
      ].join('\n'),
    );
    try {
      const found = findNumberArithmetic([file]).map((v) => v.replace(/^.*sample\.ts:/, ''));
      expect(found).toEqual(
        expect.arrayContaining([
          '2 number arithmetic: price * qty',
          '4 number arithmetic: total += notional',
          '5 parseFloat(): parseFloat(s)',
          '5 Number(): Number(s)',
          '6 Math: Math.round',
          '6 .toNumber(): o.toNumber()',
          '6 number negation: -price',
        ]),
      );
      expect(found.filter((v) => v.startsWith('10 ') || v.startsWith('11 '))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
