// Lints one import per case (or a case's own `code`) with the project's real ESLint config and
// prints the messages of the case's `rule` (default no-restricted-imports) as JSON. A separate process because jest's CommonJS runtime cannot
// load the ESM config. Type-aware rules are off: the text is no file the TypeScript project knows.
import { ESLint } from 'eslint';
import path from 'node:path';
import { readFileSync } from 'node:fs';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({
  cwd: projectRoot,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/await-thenable': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': 'off',
    },
  },
});
const cases = JSON.parse(readFileSync(0, 'utf8'));
const answers = [];
for (const { file, specifier, code, rule = 'no-restricted-imports' } of cases) {
  const text = code ?? `import { thing } from '${specifier}';\nexport const used = thing;\n`;
  const [result] = await eslint.lintText(text, { filePath: path.join(projectRoot, file) });
  answers.push(result.messages.filter((m) => m.ruleId === rule).map((m) => m.message));
}
process.stdout.write(JSON.stringify(answers));
