// `npm start`: the whole platform on this machine — migrations, the SQS emulator on 127.0.0.1:4566
// (or the one at SQS_ENDPOINT), the four services and the gateway on :8080. MySQL and Redis come from
// the environment (DATABASE_URL, REDIS_URL; defaults 127.0.0.1:3306 / :6379).
//
// Every variable in this shell reaches every service. Local defaults you may override:
//   LOG_LEVEL=info  ADMIN_EMAIL=admin@example.com  ADMIN_PASSWORD=admin-password-change-me
//   PAYMENT_WINDOW_SECONDS=900 (orders wait 15 min for their payment; 0 completes them at commit)
//   PAYMENT_WEBHOOK_SECRET=dev-payment-webhook-secret-change-me (what `npm run pay` signs with)
// The JWT signing key and SERVICE_TOKEN are generated once into tmp/dev-keys/ (delete it to rotate).
// Ctrl-C, SIGTERM or closing the terminal (SIGHUP) stops everything; if any process dies, the rest are
// stopped and the exit code is 1. A child whose supervisor vanished exits by itself (parent-watch.ts).
import { DEV_PAYMENT_WEBHOOK_SECRET, DEV_PAYMENT_WINDOW_SECONDS } from '@flash/contracts'
import { runDevStack } from './stack/run-dev.ts'

// A person's `npm start` gets the product's lifecycle (buy → pay, or the unit comes back); the stacks of
// tests, the bench and the fault matrix keep the services' own default (no payment window).
process.exitCode = await runDevStack({
  ...(process.env.SQS_ENDPOINT ? { sqsEndpoint: process.env.SQS_ENDPOINT } : {}),
  env: {
    PAYMENT_WINDOW_SECONDS: process.env.PAYMENT_WINDOW_SECONDS ?? String(DEV_PAYMENT_WINDOW_SECONDS),
    PAYMENT_WEBHOOK_SECRET: process.env.PAYMENT_WEBHOOK_SECRET ?? DEV_PAYMENT_WEBHOOK_SECRET,
  },
})
