// `npm run load -- <scenario> [options]` (see --help and docs/load-testing.md).
import { runLoadCli } from './main.ts'

await runLoadCli(process.argv.slice(2))
