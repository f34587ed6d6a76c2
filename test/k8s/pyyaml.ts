// PyYAML (python3-yaml) as an independent YAML 1.1 parser for the tests, when installed.
import { spawnSync } from 'node:child_process';

export const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
export const NO_PYYAML = 'python3-yaml is not installed (apt-get install -y python3-yaml)';
/** The tests' skip option: skipped without PyYAML, except in CI (.ci/run installs it), where they fail. */
export const PYYAML_SKIP: string | false = hasPyYaml || process.env.CI ? false : NO_PYYAML;

/** Parses YAML documents with PyYAML's safe loader and returns them as JSON values. */
export function pyYamlLoadAll(text: string): unknown[] {
  if (!hasPyYaml) throw new Error(`${NO_PYYAML}: CI installs it (.ci/run); this test does not skip in CI`);
  const r = spawnSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin.read()))))'], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PyYAML could not parse:\n${r.stderr}\n---\n${text}`);
  return JSON.parse(r.stdout) as unknown[];
}
