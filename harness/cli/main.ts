import { Command } from 'commander';
import { InterruptedError, ProviderError } from '../clusters/provider.ts';
import { registerClusterCommand } from './cluster-command.ts';
import { registerReportCommand } from './report-command.ts';
import { registerRunCommand } from './run-command.ts';
import { registerToolsCommand } from './tools-command.ts';

const program = new Command()
  .name('kruise-conformance')
  .description('conformance suites and certification harness for OpenKruise-compatible controllers')
  .showHelpAfterError();

registerToolsCommand(program);
registerClusterCommand(program);
registerRunCommand(program);
registerReportCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Errors users can act on get one line with the fix and no stack trace.
  if (err instanceof ProviderError) {
    console.error(`kruise-conformance: ${err.message} (fix: ${err.fix})`);
    // 130 is the shell's convention for "ended by Ctrl-C".
    process.exitCode = err instanceof InterruptedError ? 130 : 2;
  } else if (err instanceof Error) {
    console.error(`kruise-conformance: ${err.message}`);
    if (process.env.KRUISE_CONFORMANCE_DEBUG) console.error(err.stack);
    process.exitCode = 1;
  } else {
    throw err;
  }
}
