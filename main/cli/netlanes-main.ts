/** Entry of `npm run netlanes`: runs the command line and exits with its status. */
import { runNetlanes } from './netlanes.ts';

process.exit(await runNetlanes(process.argv.slice(2)));
