/** The knowledge-draft helper and the Prometheus registry. */
import { describe, expect, it } from 'vitest';
import { draftArticleFromTicket } from '../../../src/itsm/kpis/knowledge-draft.js';
import type { Ticket } from '../../../src/itsm/types.js';
import {
  createChatdeskMetrics,
  normalizeReason,
  observeClassifier,
  Registry,
} from '../../../src/observability/metrics.js';

const ticket: Ticket = {
  id: 1,
  number: 'INC0000042',
  kind: 'incident',
  title: 'VPN drops every hour',
  description: 'The VPN drops every hour\nsince Monday',
  state: 'resolved',
  pendingReason: null,
  impact: 'medium',
  urgency: 'medium',
  priority: 'P3',
  category: 'network',
  templateId: null,
  fields: {},
  requesterId: 7,
  groupId: 1,
  assigneeId: 3,
  channel: 'slack',
  createdAt: '2026-03-02T10:00:00.000Z',
  updatedAt: '2026-03-02T11:00:00.000Z',
  resolvedAt: '2026-03-02T11:00:00.000Z',
  closedAt: null,
};
const c = (id: number, authorId: number, body: string, internal = false) => ({
  id,
  ticketId: 1,
  authorId,
  body,
  internal,
  platform: 'slack',
  createdAt: '2026-03-02T10:30:00.000Z',
});

describe('draft article from a resolved ticket', () => {
  it('writes front matter and the agent public steps, never internal notes', () => {
    const d = draftArticleFromTicket(ticket, [
      c(1, 7, 'still broken'),
      c(2, 3, 'Update the VPN client to 5.2'),
      c(3, 3, 'user is VIP, careful', true),
    ]);
    expect(d.id).toBe('draft-inc0000042-vpn-drops-every-hour');
    expect(d.tags).toEqual(['network', 'vpn', 'drops', 'hour']);
    expect(d.markdown).toContain(
      'title: VPN drops every hour\ntags: network, vpn, drops, hour\ncategory: network\n---',
    );
    expect(d.markdown).toContain('1. Update the VPN client to 5.2');
    expect(d.markdown).not.toContain('VIP');
    expect(d.markdown).not.toContain('still broken');
  });
  it('refuses an open ticket', () => {
    expect(() => draftArticleFromTicket({ ...ticket, state: 'in_progress' }, [])).toThrow(
      /only a resolved or closed ticket/,
    );
  });
});

describe('Prometheus registry', () => {
  it('renders counters, gauges and histograms with escaped labels', async () => {
    const r = new Registry();
    const c1 = r.counter('x_total', 'Things.', ['kind']);
    c1.inc({ kind: 'a"b' });
    c1.inc({ kind: 'a"b' }, 2);
    r.gauge('y', 'Level.').set({}, 4);
    const h = r.histogram('z', 'Sizes.', [1, 5]);
    h.observe(0.5);
    h.observe(3);
    h.observe(9);
    const text = await r.render();
    expect(text).toContain('# TYPE x_total counter\nx_total{kind="a\\"b"} 3');
    expect(text).toContain('y 4');
    expect(text).toContain(
      'z_bucket{le="1"} 1\nz_bucket{le="5"} 2\nz_bucket{le="+Inf"} 3\nz_sum 12.5\nz_count 3',
    );
    expect(() => c1.inc({}, -1)).toThrow(/cannot decrease/);
  });
  it('refreshes database-backed series on each scrape and reports collector errors without failing', async () => {
    let fail = false;
    const m = createChatdeskMetrics(async () => {
      if (fail) throw new Error('db down');
      return {
        received: [{ platform: 'slack', count: 5 }],
        sent: [{ platform: 'slack', count: 4 }],
        outboxBacklog: [],
        outboxDead: [],
        handoffs: [
          { reason: 'low confidence (0.41 for vpn)', count: 2 },
          { reason: 'low confidence (0.30 for mail)', count: 1 },
        ],
        openTickets: [{ group: 'infra', count: 3 }],
        slaBreachedOpen: [{ clock: 'resolution', count: 1 }],
      };
    });
    const nlu = observeClassifier(
      { intents: { classify: async (_t: string) => ({ intent: 'x', confidence: 0.42 }) } },
      m.classifierConfidence,
    );
    await nlu.intents.classify('hi');
    const text = await m.registry.render();
    expect(text).toContain('chatdesk_messages_received_total{platform="slack"} 5');
    expect(text).toContain('chatdesk_handoffs_total{reason="low confidence"} 3');
    expect(text).toContain('chatdesk_sla_breached_open_tickets{clock="resolution"} 1');
    expect(text).toContain('chatdesk_classifier_confidence_bucket{le="0.5"} 1');
    fail = true;
    expect(await m.registry.render()).toContain('# collector errors: db down');
    expect(normalizeReason(null)).toBe('unspecified');
  });
});
