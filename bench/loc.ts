/**
 * Lines of user code: lines of a TypeScript file that hold at least one token that is not a
 * comment or whitespace (blank lines and comment-only lines, doc comments included, don't count).
 * Uses the TypeScript scanner, so comment markers inside strings, templates and regular
 * expressions are not mistaken for comments.
 */
import * as fs from 'fs';
import * as ts from 'typescript';

const TRIVIA = new Set([
  ts.SyntaxKind.SingleLineCommentTrivia, ts.SyntaxKind.MultiLineCommentTrivia, ts.SyntaxKind.WhitespaceTrivia,
  ts.SyntaxKind.NewLineTrivia, ts.SyntaxKind.ShebangTrivia, ts.SyntaxKind.ConflictMarkerTrivia,
]);

/** Tokens after which a `/` starts a regular expression rather than a division. */
const REGEX_MAY_FOLLOW = new Set([
  ts.SyntaxKind.OpenParenToken, ts.SyntaxKind.CommaToken, ts.SyntaxKind.EqualsToken, ts.SyntaxKind.ColonToken,
  ts.SyntaxKind.OpenBracketToken, ts.SyntaxKind.ExclamationToken, ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionToken, ts.SyntaxKind.OpenBraceToken, ts.SyntaxKind.CloseBraceToken,
  ts.SyntaxKind.SemicolonToken, ts.SyntaxKind.ReturnKeyword, ts.SyntaxKind.EqualsGreaterThanToken,
]);

/** Counts the non-blank, non-comment lines of `file`. */
export function linesOfCode(file: string): number {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, /* skipTrivia */ false, ts.LanguageVariant.Standard, text);
  const lineOf = (pos: number) => ts.getLineAndCharacterOfPosition(source, pos).line;
  const lines = new Set<number>();
  // Open `{` and template substitutions `${`, so that the `}` closing a substitution resumes the template.
  const braces: Array<'brace' | 'template'> = [];
  let previous: ts.SyntaxKind | undefined;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (TRIVIA.has(kind)) continue;
    if (kind === ts.SyntaxKind.SlashToken && (previous === undefined || REGEX_MAY_FOLLOW.has(previous))) {
      kind = scanner.reScanSlashToken();
    } else if (kind === ts.SyntaxKind.OpenBraceToken) {
      braces.push('brace');
    } else if (kind === ts.SyntaxKind.TemplateHead) {
      braces.push('template');
    } else if (kind === ts.SyntaxKind.CloseBraceToken) {
      if (braces.pop() === 'template') {
        kind = scanner.reScanTemplateToken(false);
        if (kind === ts.SyntaxKind.TemplateMiddle) braces.push('template');
      }
    }
    previous = kind;
    // Strings and templates may span lines: count every line a token covers.
    for (let l = lineOf(scanner.getTokenStart()); l <= lineOf(scanner.getTokenEnd() - 1); l++) lines.add(l);
  }
  return lines.size;
}
