// guide.mjs: checks that the dashboard's hooks (www/src/hooks/*.ts) are the frontend guide's code blocks, unchanged.
//
// usage: node guide.mjs GUIDE HOOKS_DIR
//
// The guide's file has every line followed by a blank line, and its emoji
// were decoded once too often (UTF-8 read as Mac Roman: "‚úÖ" is "✅"); the
// hooks are its blocks with those two things undone, and nothing else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [guide, dir] = process.argv.slice(2);
const text = readFileSync(guide, 'utf8');
const blocks = [...text.matchAll(/^```typescript\n([\s\S]*?)^```/gm)].map((m) => m[1]);

// A run of k blank lines in the guide is (k - 1) / 2 blank lines of code.
function undouble(block) {
  const lines = block.split('\n');
  const out = [];
  for (let i = 0; i < lines.length;) {
    if (lines[i].trim() === '') {
      let j = i;
      while (j < lines.length && lines[j].trim() === '') j++;
      for (let k = 0; k < Math.floor((j - i - 1) / 2); k++) out.push('');
      i = j;
    } else {
      out.push(lines[i].replaceAll('\u201a\u00fa\u00d6', '\u2705'));
      i++;
    }
  }
  while (out.length && out[0] === '') out.shift();
  while (out.length && out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

let failed = 0;
let n = 0;
for (const name of ['useBacktestJobsSSE', 'useBacktestHistorySSE', 'useBacktestProgressSSE',
  'useBacktestDataSSE']) {
  const block = blocks.find((b) => b.includes(`// hooks/${name}.ts`));
  if (!block) {
    console.log(`FAIL: the guide has no block for hooks/${name}.ts`);
    failed++;
    continue;
  }
  const want = undouble(block);
  const have = readFileSync(join(dir, `${name}.ts`), 'utf8');
  if (have !== want) {
    const a = want.split('\n');
    const b = have.split('\n');
    const at = a.findIndex((line, i) => line !== b[i]);
    console.log(`FAIL: www/src/hooks/${name}.ts differs from the guide at line ${at + 1}:\n` +
      `  guide: ${JSON.stringify(a[at])}\n  hook:  ${JSON.stringify(b[at])}`);
    failed++;
  } else {
    n++;
  }
}
console.log(`the guide's hooks: ${n} unchanged, ${failed} differ`);
process.exit(failed ? 1 : 0);
