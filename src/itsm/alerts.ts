/**
 * Alert intake from Prometheus Alertmanager (its webhook payload, version 4): one incident per alert
 * group (deduplicated by groupKey), updated when the set of firing alerts changes, resolved when the
 * group resolves, linked to the CMDB service its labels name, so monitoring and people reporting the
 * same outage in chat meet on the same service and, through problem management, in one problem.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { isOpenState } from './lifecycle.js';
import type { AlertStore, ItilNotifier } from './ports.js';
import type { TicketService } from './tickets.js';
import type { AlertGroupState, Level, Person, Ticket } from './types.js';

const labels = z.record(z.string(), z.string());
const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an RFC 3339 time');

/** Alertmanager's webhook body (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const alertmanagerPayloadSchema = z.looseObject({
  version: z.literal('4', { message: 'must be "4" (the Alertmanager webhook format this endpoint reads)' }),
  groupKey: z.string().min(1, 'is required').max(10_000),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(500).optional(),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().max(2000).optional(),
  alerts: z
    .array(
      z.looseObject({
        status: z.enum(['firing', 'resolved']),
        labels: labels,
        annotations: labels.default({}),
        startsAt: instant,
        endsAt: instant.optional(),
        generatorURL: z.string().max(4000).optional(),
        fingerprint: z.string().max(200).optional(),
      }),
    )
    .min(1, 'needs at least one alert')
    .max(1000),
});
export type AlertmanagerPayload = z.output<typeof alertmanagerPayloadSchema>;
type Alert = AlertmanagerPayload['alerts'][number];

interface AlertIntakeDeps {
  store: AlertStore;
  tickets: TicketService;
  /** The account alert incidents are opened by (a service account, not a person). */
  reporter: () => Promise<Person>;
  /** Links the incident to a CMDB asset by tag; false when there is no such asset. */
  linkService: (ticket: Ticket, tag: string, actor: Person, now: string) => Promise<boolean>;
  groupExists: (slug: string) => Promise<boolean>;
  notifier?: Pick<ItilNotifier, 'notifyAgents'>;
  /** Labels whose value names the affected CMDB service (its asset tag), in order of preference. */
  serviceLabels: string[];
}

export interface AlertOutcome {
  action: 'opened' | 'updated' | 'resolved' | 'unchanged' | 'ignored';
  ticket: string | null;
  service: string | null;
}

/** severity label → impact and urgency (critical: P1, error/major: P2, warning: P3, else P4). */
export function levelsOf(severity: string | undefined): { impact: Level; urgency: Level } {
  switch ((severity ?? '').toLowerCase()) {
    case 'critical':
    case 'page':
    case 'emergency':
      return { impact: 'high', urgency: 'high' };
    case 'error':
    case 'major':
    case 'high':
      return { impact: 'high', urgency: 'medium' };
    case 'warning':
    case 'warn':
    case 'minor':
      return { impact: 'medium', urgency: 'medium' };
    default:
      return { impact: 'low', urgency: 'low' };
  }
}

/** An alert's identity: Alertmanager's fingerprint, or its sorted labels when an old version sends none. */
function fingerprintOf(a: Alert): string {
  if (a.fingerprint) return a.fingerprint;
  const text = Object.entries(a.labels)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function describeAlert(a: Alert): string {
  const name = a.labels.alertname ?? 'alert';
  const where = a.labels.instance ?? a.labels.job ?? '';
  const summary = a.annotations.summary ?? a.annotations.description ?? '';
  return `- [${a.status}] ${name}${where ? ` on ${where}` : ''}${summary ? `: ${summary}` : ''} (since ${a.startsAt}${a.generatorURL ? `, ${a.generatorURL}` : ''})`;
}

function titleOf(p: AlertmanagerPayload): string {
  const first = p.alerts[0];
  const name = p.commonLabels.alertname ?? p.groupLabels.alertname ?? first?.labels.alertname ?? 'Alert';
  const summary =
    p.commonAnnotations.summary ?? (p.alerts.length === 1 ? first?.annotations.summary : undefined);
  const base = summary
    ? `${name}: ${summary}`
    : `${name} (${p.alerts.length} alert${p.alerts.length === 1 ? '' : 's'})`;
  return `[Alert] ${base}`.slice(0, 200);
}

function descriptionOf(p: AlertmanagerPayload): string {
  const lines = [
    p.commonAnnotations.description ?? '',
    'Alerts:',
    ...p.alerts.map(describeAlert),
    p.truncatedAlerts ? `(${p.truncatedAlerts} more alerts were truncated by Alertmanager)` : '',
    `Labels: ${Object.entries(p.commonLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    p.externalURL ? `Alertmanager: ${p.externalURL}` : '',
  ];
  return lines
    .filter((l) => l !== '')
    .join('\n')
    .slice(0, 20_000);
}

export function createAlertIntake(deps: AlertIntakeDeps) {
  function serviceOf(p: AlertmanagerPayload): string | null {
    for (const label of deps.serviceLabels) {
      const v = p.commonLabels[label] ?? p.groupLabels[label] ?? p.alerts[0]?.labels[label];
      if (v) return v;
    }
    return null;
  }

  async function tell(t: Ticket, text: string, key: string): Promise<void> {
    await deps.notifier?.notifyAgents(t, text, key).catch(() => false);
  }

  return {
    async receive(p: AlertmanagerPayload, now: string): Promise<AlertOutcome> {
      const keyHash = createHash('sha256').update(p.groupKey).digest('hex').slice(0, 40);
      const firing = [...new Set(p.alerts.filter((a) => a.status === 'firing').map(fingerprintOf))].sort();
      const state = await deps.store.group(keyHash);
      const reporter = await deps.reporter();
      const current = state?.ticketId ? await deps.tickets.byIdForSystem(state.ticketId) : null;
      const service = serviceOf(p);

      if (p.status === 'resolved' || firing.length === 0) {
        if (!current || !isOpenState(current.state)) {
          if (state)
            await deps.store.saveGroup(
              { ...state, groupKey: p.groupKey, status: 'resolved', firing: [] },
              now,
            );
          return { action: 'ignored', ticket: current?.number ?? null, service };
        }
        const resolved = await deps.tickets.transition(
          current.number,
          'resolved',
          reporter,
          { reason: 'Alertmanager reports every alert of the group resolved', pendingReason: null },
          now,
        );
        await deps.store.saveGroup(
          { ...(state as AlertGroupState), groupKey: p.groupKey, status: 'resolved', firing: [] },
          now,
        );
        await tell(
          resolved,
          `✅ ${resolved.number}: the monitoring alerts resolved; the incident was resolved automatically.`,
          `alert:resolved:${now}`,
        );
        return { action: 'resolved', ticket: resolved.number, service };
      }

      if (current && isOpenState(current.state)) {
        const before = new Set(state?.firing ?? []);
        const changed = firing.length !== before.size || firing.some((f) => !before.has(f));
        if (!changed) return { action: 'unchanged', ticket: current.number, service };
        const lines = p.alerts.map(describeAlert).join('\n');
        await deps.tickets.comment(
          current.number,
          reporter,
          `Alertmanager update: ${firing.length} alert(s) firing.\n${lines}`,
          { internal: true, platform: 'alertmanager' },
          now,
        );
        await deps.store.saveGroup(
          { ...(state as AlertGroupState), groupKey: p.groupKey, status: 'firing', firing },
          now,
        );
        await tell(
          current,
          `🔔 ${current.number}: monitoring now reports ${firing.length} alert(s) firing.`,
          `alert:update:${firing.join(',')}`,
        );
        return { action: 'updated', ticket: current.number, service };
      }

      // A new group, or one whose last incident is over: the next incident of the group.
      const generation = (state?.generation ?? 0) + 1;
      const severity = p.commonLabels.severity ?? p.alerts.find((a) => a.labels.severity)?.labels.severity;
      const team = p.commonLabels.team ?? p.commonLabels.group;
      const groupSlug = team && (await deps.groupExists(team)) ? team : null;
      const open = () =>
        deps.tickets.open(
          {
            kind: 'incident',
            title: titleOf(p),
            description: descriptionOf(p),
            ...levelsOf(severity),
            category: 'monitoring',
            requester: reporter,
            channel: 'api',
            groupSlug,
            // Alertmanager retries a failed notification: the same group and generation open one incident.
            sourceKey: `alertmanager:${keyHash}:${generation}`,
          },
          now,
        );
      // Both Alertmanagers of an HA pair may notify at once: the loser of the insert race finds the
      // winner's incident by its source key on a second try.
      const ticket = await open().catch(() => open());
      await deps.store.saveGroup(
        { keyHash, groupKey: p.groupKey, ticketId: ticket.id, generation, status: 'firing', firing },
        now,
      );
      let linked: string | null = null;
      if (service) {
        try {
          if (await deps.linkService(ticket, service, reporter, now)) linked = service;
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
        }
      }
      await tell(
        ticket,
        `🚨 Monitoring opened ${ticket.number} (${ticket.priority}): ${ticket.title}${linked ? ` — service ${linked}` : ''}`,
        'alert:opened',
      );
      return { action: 'opened', ticket: ticket.number, service: linked };
    },
  };
}

export type AlertIntake = ReturnType<typeof createAlertIntake>;
