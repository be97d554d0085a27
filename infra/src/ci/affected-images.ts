// deploy.yml: which images a commit range needs rebuilt and rolled, from nx's affected projects.
// Usage: nx show projects --affected --base=A --head=B --json | node infra/src/ci/affected-images.ts
// Prints a JSON array of image names (apps/<name>, and `tools`) for a matrix.
import { IMAGES, type ImageName } from '../topology.ts'

/**
 * nx marks a project affected when its files or any workspace package it depends on changed, so a
 * change in packages/config affects every app using it. The tools image carries the migrations
 * (through @flash/tools → @flash/db) and the finalizer's DLQ CLI.
 */
export function affectedImages(projects: readonly string[]): ImageName[] {
  const affected = new Set(projects)
  return IMAGES.filter((image) =>
    image === 'tools'
      ? affected.has('@flash/tools') || affected.has('@flash/order-finalizer')
      : affected.has(`@flash/${image}`),
  )
}

if (import.meta.main) {
  let input = ''
  for await (const chunk of process.stdin) input += chunk
  const projects = JSON.parse(input || '[]') as string[]
  console.log(JSON.stringify(affectedImages(projects)))
}
