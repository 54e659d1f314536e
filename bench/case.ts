/**
 * Runs one benchmark case (bench/cases.ts) and prints its figure as JSON on
 * the last line of stdout. Started by bench/run.ts:
 *   node --expose-gc --import tsx bench/case.ts <case id>
 */
import { CASES } from './cases.ts';

const id = process.argv[2];
const run = CASES[id];
if (!run) {
  console.error(`unknown case '${id}'; one of: ${Object.keys(CASES).join(', ')}`);
  process.exit(2);
}
const figure = await run();
console.log(JSON.stringify(figure));
