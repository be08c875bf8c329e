/** The command-line program: `bin/bgmatte.js` runs it from dist/, the tests from source (test/cli-process.ts). */
import { installInterruptHandlers, main } from "./main.js";

installInterruptHandlers();
process.exitCode = await main(process.argv.slice(2));
