import { type CfnCondition, Duration, Fn } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions'
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2'
import * as kms from 'aws-cdk-lib/aws-kms'
import * as sns from 'aws-cdk-lib/aws-sns'
import type * as elasticache from 'aws-cdk-lib/aws-elasticache'
import type * as rds from 'aws-cdk-lib/aws-rds'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import type { ServiceName } from '@flash/routes'
import { Construct } from 'constructs'
import { SIZING } from '../topology.ts'

export interface MonitoringProps {
  readonly alb: elbv2.ApplicationLoadBalancer
  readonly targetGroups: ReadonlyMap<ServiceName, elbv2.ApplicationTargetGroup>
  readonly orders: sqs.IQueue
  readonly deadLetters: sqs.IQueue
  /** The AlarmEmail parameter's value, subscribed when `hasAlarmEmail`. */
  readonly alarmEmail: string
  readonly hasAlarmEmail: CfnCondition
  readonly database: rds.DatabaseInstance
  /** The parameter group's max_connections. */
  readonly maxConnections: number
  readonly cache: elasticache.CfnReplicationGroup
  readonly cacheNodes: number
  readonly clusterName: string
  readonly services: readonly ServiceName[]
}

/** Percentage of 5xx answers per target group above which someone is paged. */
export const FIVE_XX_PERCENT = 1
/** The design holds every order terminal ≤ 5 s after the sale; a minute-old message means trouble. */
export const OLDEST_MESSAGE_SECONDS = 60
/** 5xx the ALB itself answered (no healthy target, target reset or timeout) per minute that page. */
export const ELB_5XX_PER_MINUTE = 10
/** Redis runs noeviction: a full Redis refuses every write, so warn well before. */
export const REDIS_MEMORY_PERCENT = 75
export const RDS_CPU_PERCENT = 80
/** Share of max_connections in use that pages: the pools are sized to stay far below it. */
export const RDS_CONNECTIONS_SHARE = 0.8

/**
 * Alarms on what breaks the product's promises (a message in the DLQ, 5xx answers, slow answers, a
 * finalizer falling behind) and one dashboard of the flash-sale numbers. The services' own counters
 * are Prometheus (`/metrics`); the dashboard uses what AWS measures without an agent: an accepted
 * order is one SQS message sent, a commit one message deleted, a sold-out answer a 4xx of order-service.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic
  readonly alarms: cloudwatch.Alarm[] = []

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id)
    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: 'flash-sale alarms',
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    })
    const email = new sns.CfnSubscription(this, 'Email', {
      topicArn: this.topic.topicArn,
      protocol: 'email',
      endpoint: props.alarmEmail,
    })
    email.cfnOptions.condition = props.hasAlarmEmail
    const minute = Duration.minutes(1)

    this.alarm('DeadLetters', {
      alarmDescription:
        'An order message reached the DLQ: the DLQ worker will fail it; poison stays for a person',
      metric: props.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: minute,
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    })
    this.alarm('FinalizerLag', {
      alarmDescription: 'The finalizer is not keeping up: the oldest order message is over a minute old',
      metric: props.orders.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum' }),
      threshold: OLDEST_MESSAGE_SECONDS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
    })
    for (const [service, tg] of props.targetGroups) {
      const errors = tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
        period: minute,
        statistic: 'Sum',
      })
      const requests = tg.metrics.requestCount({ period: minute, statistic: 'Sum' })
      this.alarm(`${service}-5xx`, {
        alarmDescription: `${service} answers more than ${FIVE_XX_PERCENT}% 5xx`,
        metric: new cloudwatch.MathExpression({
          expression: 'IF(requests > 0, 100 * errors / requests, 0)',
          usingMetrics: { errors, requests },
          period: minute,
          label: `${service} 5xx %`,
        }),
        threshold: FIVE_XX_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      })
      this.alarm(`${service}-p99`, {
        alarmDescription: `${service} p99 above ${SIZING[service].p99Seconds * 1000} ms`,
        metric: tg.metrics.targetResponseTime({ period: minute, statistic: 'p99' }),
        threshold: SIZING[service].p99Seconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      })
    }
    this.platformAlarms(props)
    this.dashboard(props)
  }

  /** What the ALB, the data stores and ECS report about themselves. */
  private platformAlarms(props: MonitoringProps): void {
    const minute = Duration.minutes(1)
    this.alarm('Alb-5xx', {
      alarmDescription: `The ALB itself answered ${ELB_5XX_PER_MINUTE}+ 5xx in a minute (no healthy target, resets, timeouts)`,
      metric: props.alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, {
        period: minute,
        statistic: 'Sum',
      }),
      threshold: ELB_5XX_PER_MINUTE,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No datapoint is not proof of health here: keep the last state rather than calling it OK.
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    })
    for (let node = 1; node <= props.cacheNodes; node++) {
      const id = String(node).padStart(3, '0')
      this.alarm(`Redis-memory-${id}`, {
        alarmDescription: `Redis node ${id} above ${REDIS_MEMORY_PERCENT}% of its memory: with noeviction a full Redis refuses every write (reservations, restocks)`,
        metric: new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName: 'DatabaseMemoryUsagePercentage',
          dimensionsMap: { CacheClusterId: Fn.join('-', [props.cache.ref, id]) },
          period: minute,
          statistic: 'Maximum',
        }),
        threshold: REDIS_MEMORY_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      })
    }
    this.alarm('Rds-cpu', {
      alarmDescription: `MySQL CPU above ${RDS_CPU_PERCENT}% for 5 minutes: the finalizer's commits will slow down`,
      metric: props.database.metricCPUUtilization({ period: minute, statistic: 'Average' }),
      threshold: RDS_CPU_PERCENT,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    })
    this.alarm('Rds-connections', {
      alarmDescription: `MySQL connections above ${RDS_CONNECTIONS_SHARE * 100}% of max_connections (${props.maxConnections})`,
      metric: props.database.metricDatabaseConnections({ period: minute, statistic: 'Maximum' }),
      threshold: Math.floor(props.maxConnections * RDS_CONNECTIONS_SHARE),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    })
    for (const service of props.services) {
      const insights = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'ECS/ContainerInsights',
          metricName,
          dimensionsMap: { ClusterName: props.clusterName, ServiceName: service },
          period: minute,
          statistic: 'Minimum',
        })
      this.alarm(`${service}-tasks`, {
        alarmDescription: `${service} runs fewer tasks than desired for 5 minutes (tasks failing to start or crashing)`,
        metric: new cloudwatch.MathExpression({
          expression: 'desired - running',
          usingMetrics: { desired: insights('DesiredTaskCount'), running: insights('RunningTaskCount') },
          period: minute,
          label: `${service} tasks missing`,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      })
    }
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      // Request-driven metrics have no datapoint when nobody asks: quiet is not an alarm.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    })
    alarm.addAlarmAction(new actions.SnsAction(this.topic))
    alarm.addOkAction(new actions.SnsAction(this.topic))
    this.alarms.push(alarm)
  }

  private dashboard(props: MonitoringProps): void {
    const period = Duration.minutes(1)
    // Metric ids must be unique within a graph: number them.
    let n = 0
    const perSecond = (metric: cloudwatch.IMetric, label: string) => {
      const id = `m${++n}`
      return new cloudwatch.MathExpression({
        expression: `${id} / PERIOD(${id})`,
        usingMetrics: { [id]: metric },
        label,
        period,
      })
    }
    const orderTargets = props.targetGroups.get('order-service')
    const board = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: 'flash-sale' })
    board.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Orders per second: accepted (sent to SQS) and committed (deleted by the finalizer)',
        left: [
          perSecond(props.orders.metricNumberOfMessagesSent({ period, statistic: 'Sum' }), 'accepted/s'),
          perSecond(props.orders.metricNumberOfMessagesDeleted({ period, statistic: 'Sum' }), 'commits/s'),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'order-service answers per second (4xx: mostly 409 sold out)',
        left: orderTargets
          ? [
              perSecond(
                orderTargets.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_2XX_COUNT, { period }),
                '2xx/s',
              ),
              perSecond(
                orderTargets.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, { period }),
                'sold out + 4xx/s',
              ),
              perSecond(
                orderTargets.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period }),
                '5xx/s',
              ),
            ]
          : [],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Queue depth',
        left: [
          props.orders.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: 'Maximum',
            label: 'orders',
          }),
          props.deadLetters.metricApproximateNumberOfMessagesVisible({
            period,
            statistic: 'Maximum',
            label: 'DLQ',
          }),
        ],
        right: [props.orders.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'p99 latency per service (s)',
        left: [...props.targetGroups].map(([service, tg]) =>
          tg.metrics.targetResponseTime({ period, statistic: 'p99', label: service }),
        ),
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    )
  }
}
