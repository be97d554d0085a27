import { Aws, type CfnCondition, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2'
import * as s3 from 'aws-cdk-lib/aws-s3'
import type { ServiceName } from '@flash/routes'
import { Construct } from 'constructs'
import { listenerRules } from '../listener-rules.ts'
import { acknowledge } from '../nag.ts'

/** Smoke tests name the service whose /health or /ready they want through the ALB in this header. */
export const SERVICE_HEADER = 'x-flash-service'
/** After every route-table rule: these paths never overlap the table's. */
const HEALTH_RULE_PRIORITY = 1000

/** Anything the route table does not name, `/internal/*` included, ends here. */
const NOT_FOUND = JSON.stringify({
  type: 'about:blank',
  title: 'Not Found',
  status: 404,
  code: 'not_found',
  detail: 'No route for this path',
})

/** Every target group's health check: the shallow liveness route, answered even while shedding load. */
export const TARGET_HEALTH_PATH = '/health'

export interface PublicLoadBalancerProps {
  readonly vpc: ec2.IVpc
  /** ACM certificate ARN (a parameter's value) and the condition that it is not empty. */
  readonly certificateArn: string
  readonly hasCertificate: CfnCondition
  readonly services: readonly ServiceName[]
}

/**
 * The public entrance: an internet-facing ALB whose listener rules are generated from the shared
 * route table (the dev gateway routes by the same table), one target group per public service
 * health-checked on `/health`. With a certificate (the `CertificateArn` parameter) the one listener
 * serves HTTPS on 443 with a modern TLS policy and a second one on 80 only redirects; without it the
 * listener is plain HTTP on 80, for a first look without a domain. A parameter rather than a synth
 * switch, so no later deploy can drop HTTPS by not repeating it.
 */
export class PublicLoadBalancer extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer
  readonly listener: elbv2.ApplicationListener
  readonly targetGroups = new Map<ServiceName, elbv2.ApplicationTargetGroup>()
  /** For the smoke-test URL: https when a certificate was given. */
  readonly scheme: string

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id)
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      // Flash-sale buyers keep connections open between presses; 60 s is the ALB default, keep it explicit.
      idleTimeout: Duration.seconds(60),
    })
    const logs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    })
    this.alb.logAccessLogs(logs, 'alb')
    acknowledge(
      logs,
      'S1',
      'this bucket holds the ALB access logs; logging access to it would need another log bucket',
    )
    acknowledge(this.alb, 'EC23', 'the public API: buyers connect from anywhere, on the listener port only')

    const notFound = elbv2.ListenerAction.fixedResponse(404, {
      contentType: 'application/problem+json',
      messageBody: NOT_FOUND,
    })
    const ifCertificate = (yes: unknown, no: unknown) =>
      Fn.conditionIf(props.hasCertificate.logicalId, yes, no)
    this.scheme = ifCertificate('https', 'http').toString()
    this.listener = this.alb.addListener('Listener', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultAction: notFound,
    })
    const listener = this.listener.node.defaultChild as elbv2.CfnListener
    listener.addPropertyOverride('Port', ifCertificate(443, 80))
    listener.addPropertyOverride('Protocol', ifCertificate('HTTPS', 'HTTP'))
    listener.addPropertyOverride(
      'Certificates',
      ifCertificate([{ CertificateArn: props.certificateArn }], Aws.NO_VALUE),
    )
    listener.addPropertyOverride('SslPolicy', ifCertificate(elbv2.SslPolicy.RECOMMENDED_TLS, Aws.NO_VALUE))
    this.alb.connections.allowFromAnyIpv4(ec2.Port.tcp(443), 'HTTPS, when a certificate is given')
    const redirect = new elbv2.CfnListener(this, 'HttpRedirect', {
      loadBalancerArn: this.alb.loadBalancerArn,
      port: 80,
      protocol: 'HTTP',
      defaultActions: [
        {
          type: 'redirect',
          redirectConfig: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' },
        },
      ],
    })
    redirect.cfnOptions.condition = props.hasCertificate
    // Port 80 is free only once the main listener has moved to 443.
    redirect.addResourceDependency(listener)

    for (const service of props.services) {
      this.targetGroups.set(
        service,
        new elbv2.ApplicationTargetGroup(this, `${service}-targets`, {
          vpc: props.vpc,
          port: 80,
          protocol: elbv2.ApplicationProtocol.HTTP,
          targetType: elbv2.TargetType.IP,
          // A draining task finishes in-flight orders within SHUTDOWN_GRACE_MS (10 s) first.
          deregistrationDelay: Duration.seconds(15),
          // Never /ready: it is shed under load and fails while Redis, MySQL or inventory blip, and ECS
          // replaces every task that fails this check — a busy sale or a Redis failover would restart
          // the whole fleet at once. /health answers while the process lives (service-kit NOT_SHED).
          healthCheck: {
            path: TARGET_HEALTH_PATH,
            healthyHttpCodes: '200',
            interval: Duration.seconds(10),
            timeout: Duration.seconds(5),
            healthyThresholdCount: 2,
            unhealthyThresholdCount: 3,
          },
        }),
      )
    }
    props.services.forEach((service, i) => {
      this.listener.addAction(`health-${service}`, {
        priority: HEALTH_RULE_PRIORITY + i,
        conditions: [
          elbv2.ListenerCondition.pathPatterns(['/health', '/ready']),
          elbv2.ListenerCondition.httpHeader(SERVICE_HEADER, [service]),
        ],
        action: elbv2.ListenerAction.forward([this.targetGroups.get(service)!]),
      })
    })
    for (const rule of listenerRules()) {
      const targetGroup = this.targetGroups.get(rule.service)
      if (!targetGroup) throw new Error(`route table names ${rule.service}, which has no target group`)
      this.listener.addAction(`route-${rule.priority}`, {
        priority: rule.priority,
        conditions: [elbv2.ListenerCondition.pathPatterns([...rule.paths])],
        action: elbv2.ListenerAction.forward([targetGroup]),
      })
    }
  }
}
