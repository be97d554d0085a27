import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib'
import * as ecr from 'aws-cdk-lib/aws-ecr'
import type { Construct } from 'constructs'
import { IMAGES, repositoryName } from './topology.ts'

/** Tagged images kept per repository: enough to roll back a few deploys. */
export const KEEP_IMAGES = 30

/**
 * The ECR repositories, in a stack of their own: images must exist before the platform stack's
 * services can start, and repositories outlive any teardown of the platform.
 */
export class RegistryStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props)
    for (const image of IMAGES) {
      new ecr.Repository(this, image, {
        repositoryName: repositoryName(image),
        imageScanOnPush: true,
        // A tag names one build forever (the git sha): a deploy can never pick up a different image.
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption: ecr.RepositoryEncryption.AES_256,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [
          {
            description: 'untagged layers of failed pushes',
            tagStatus: ecr.TagStatus.UNTAGGED,
            maxImageAge: Duration.days(7),
            rulePriority: 1,
          },
          {
            description: `keep the last ${KEEP_IMAGES} builds`,
            tagStatus: ecr.TagStatus.ANY,
            maxImageCount: KEEP_IMAGES,
            rulePriority: 2,
          },
        ],
      })
    }
  }
}
