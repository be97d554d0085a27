import { RemovalPolicy } from 'aws-cdk-lib'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as logs from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'

/**
 * Two AZs: public subnets hold only the ALB and the NAT gateways; tasks run in private subnets with
 * egress (ECR, SQS, Secrets Manager and CloudWatch Logs through NAT, S3 layers through a gateway
 * endpoint); RDS and Redis sit in isolated subnets with no route out at all.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc

  constructor(scope: Construct, id: string, props: { natGateways: number }) {
    super(scope, id)
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    })
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    })
  }

  /** The ALB's subnets: the only proxies allowed to set X-Forwarded-For (TRUST_PROXY). */
  get publicCidrs(): string[] {
    return this.vpc.publicSubnets.map((s) => s.ipv4CidrBlock)
  }
}
