/**
 * The built CLI's entry (dist/cli/reconciler.mjs, package.json `bin`): runs main and sets the exit
 * code. bin/reconciler.js is the checkout's entry, which runs the sources through tsx.
 */
import { main } from './main';

process.exitCode = await main(process.argv.slice(2));
