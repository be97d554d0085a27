// Entry point of `cdk synth|deploy|diff` (cdk.json); context comes from `-c key=value`.
import { buildApp } from './app.ts'

buildApp().app.synth()
