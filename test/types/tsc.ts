/** Type-checks with the TypeScript compiler API (no process spawn): diagnostics as tsc prints them. */
import path from 'node:path';
import ts from 'typescript';

export interface CheckResult {
  /** root files the program checked (absolute) */
  files: string[];
  /** every source file in the program, declarations included */
  allFiles: string[];
  /** "file(line,col): error TS2322: message" */
  errors: string[];
}

function format(d: ts.Diagnostic): string {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return `error TS${d.code}: ${msg}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${d.file.fileName}(${line + 1},${character + 1}): error TS${d.code}: ${msg}`;
}

function check(program: ts.Program): CheckResult {
  const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  return {
    files: program.getRootFileNames().map((f) => path.resolve(f)),
    allFiles: program.getSourceFiles().map((f) => path.resolve(f.fileName)),
    errors: diags.map(format),
  };
}

/** Like `tsc -p <tsconfig> --noEmit`. */
export function checkProject(tsconfigPath: string): CheckResult {
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfigPath, { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(format(d)); } });
  if (!parsed) throw new Error(`cannot read ${tsconfigPath}`);
  if (parsed.errors.length) throw new Error(parsed.errors.map(format).join('\n'));
  return check(ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options }));
}

/** Type-checks `files` with explicit compiler options (JSON form, as in a tsconfig). */
export function checkFiles(files: string[], jsonOptions: Record<string, unknown>, baseDir: string): CheckResult {
  const { options, errors } = ts.convertCompilerOptionsFromJson(jsonOptions, baseDir);
  if (errors.length) throw new Error(errors.map(format).join('\n'));
  return check(ts.createProgram({ rootNames: files, options: { ...options, noEmit: true } }));
}
