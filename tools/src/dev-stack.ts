// `npm start`: the whole platform on this machine — migrations, the SQS emulator on 127.0.0.1:4566
// (or the one at SQS_ENDPOINT), the four services and the gateway on :8080. MySQL and Redis come from
// the environment (DATABASE_URL, REDIS_URL; defaults 127.0.0.1:3306 / :6379).
//
// Every variable in this shell reaches every service. Local defaults you may override:
//   LOG_LEVEL=info  ADMIN_EMAIL=admin@example.com  ADMIN_PASSWORD=admin-password-change-me
// The JWT signing key and SERVICE_TOKEN are generated once into tmp/dev-keys/ (delete it to rotate).
// Ctrl-C, SIGTERM or closing the terminal (SIGHUP) stops everything; if any process dies, the rest are
// stopped and the exit code is 1. A child whose supervisor vanished exits by itself (parent-watch.ts).
import { runDevStack } from './stack/run-dev.ts'

process.exitCode = await runDevStack({
  ...(process.env.SQS_ENDPOINT ? { sqsEndpoint: process.env.SQS_ENDPOINT } : {}),
})
