/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms with
 * labels, plus collectors that refresh values from the database on each scrape. Hand-written because
 * the needs are tiny and a scrape must not depend on process-global state (tests build many apps).
 */

type Labels = Record<string, string>;

const escapeLabel = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelKey(names: readonly string[], labels: Labels): string {
  return names.map((n) => labels[n] ?? '').join('\u0000');
}

function renderLabels(
  names: readonly string[],
  values: readonly string[],
  extra: [string, string][] = [],
): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  for (const [k, v] of extra) parts.push(`${k}="${escapeLabel(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

const fmt = (v: number): string => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
  }
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  abstract lines(): string[];
  header(): string[] {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
  }
}

class Scalar extends Metric {
  readonly values = new Map<string, { labels: string[]; value: number }>();
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly type: 'counter' | 'gauge',
  ) {
    super(name, help, labelNames);
  }
  private slot(labels: Labels) {
    const k = labelKey(this.labelNames, labels);
    let s = this.values.get(k);
    if (!s) {
      s = { labels: this.labelNames.map((n) => labels[n] ?? ''), value: 0 };
      this.values.set(k, s);
    }
    return s;
  }
  inc(labels: Labels = {}, by = 1): void {
    if (this.type === 'counter' && by < 0) throw new Error(`counter ${this.name} cannot decrease`);
    this.slot(labels).value += by;
  }
  /** Gauges; and counters whose total is kept elsewhere (a database count refreshed on scrape). */
  set(labels: Labels, value: number): void {
    this.slot(labels).value = value;
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(this.labelNames, labels))?.value ?? 0;
  }
  /** Forgets all label sets, so a collector's refresh drops series that no longer exist. */
  reset(): void {
    this.values.clear();
  }
  lines(): string[] {
    if (this.values.size === 0 && this.labelNames.length === 0) return [`${this.name} 0`];
    return [...this.values.values()].map(
      (s) => `${this.name}${renderLabels(this.labelNames, s.labels)} ${fmt(s.value)}`,
    );
  }
}

type Counter = Scalar;
type Gauge = Scalar;

class Histogram extends Metric {
  readonly type = 'histogram';
  private readonly series = new Map<
    string,
    { labels: string[]; counts: number[]; sum: number; count: number }
  >();
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }
  observe(value: number, labels: Labels = {}): void {
    const k = labelKey(this.labelNames, labels);
    let s = this.series.get(k);
    if (!s) {
      s = {
        labels: this.labelNames.map((n) => labels[n] ?? ''),
        counts: this.buckets.map(() => 0),
        sum: 0,
        count: 0,
      };
      this.series.set(k, s);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
    });
    s.sum += value;
    s.count++;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        out.push(
          `${this.name}_bucket${renderLabels(this.labelNames, s.labels, [['le', fmt(b)]])} ${s.counts[i] ?? 0}`,
        );
      });
      out.push(`${this.name}_bucket${renderLabels(this.labelNames, s.labels, [['le', '+Inf']])} ${s.count}`);
      out.push(`${this.name}_sum${renderLabels(this.labelNames, s.labels)} ${fmt(s.sum)}`);
      out.push(`${this.name}_count${renderLabels(this.labelNames, s.labels)} ${s.count}`);
    }
    return out;
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: (() => Promise<void>)[] = [];

  private add<M extends Metric>(m: M): M {
    if (this.metrics.has(m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.set(m.name, m);
    return m;
  }
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Scalar(name, help, labelNames, 'counter'));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Scalar(name, help, labelNames, 'gauge'));
  }
  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: readonly string[] = [],
  ): Histogram {
    return this.add(
      new Histogram(
        name,
        help,
        labelNames,
        [...buckets].sort((a, b) => a - b),
      ),
    );
  }
  /** Runs before every render (e.g. counts from the database). A failing collector is reported, not fatal. */
  collect(fn: () => Promise<void>): void {
    this.collectors.push(fn);
  }
  async render(): Promise<string> {
    const errors: string[] = [];
    for (const c of this.collectors) {
      try {
        await c();
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
      }
    }
    const out: string[] = [];
    for (const m of this.metrics.values()) out.push(...m.header(), ...m.lines());
    if (errors.length > 0) out.push(`# collector errors: ${errors.map(escapeHelp).join('; ')}`);
    return `${out.join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Handoff reasons carry numbers ("low confidence (0.42 for vpn)"); labels must not explode in cardinality. */
export function normalizeReason(reason: string | null): string {
  const r = (reason ?? 'unspecified')
    .replace(/\s*\(.*\)\s*$/, '')
    .trim()
    .toLowerCase();
  return (r.length === 0 ? 'unspecified' : r).slice(0, 60);
}

/** What the chatdesk collectors read from storage on each scrape. */
export interface OperationalSnapshot {
  received: { platform: string; count: number }[];
  sent: { platform: string; count: number }[];
  outboxBacklog: { platform: string; count: number }[];
  outboxDead: { platform: string; count: number }[];
  handoffs: { reason: string | null; count: number }[];
  openTickets: { group: string; count: number }[];
  slaBreachedOpen: { clock: 'response' | 'resolution'; count: number }[];
}

export interface ChatdeskMetrics {
  registry: Registry;
  classifierConfidence: Histogram;
}

/**
 * The operator metrics of DESIGN §13 / issue 8. Message, outbox, handoff and SLA figures are read
 * from the database on scrape (durable, and right with several processes behind a load balancer);
 * the classifier confidence histogram is observed in-process.
 */
export function createChatdeskMetrics(snapshot: () => Promise<OperationalSnapshot>): ChatdeskMetrics {
  const registry = new Registry();
  const received = registry.counter(
    'chatdesk_messages_received_total',
    'Chat messages and actions accepted into the inbox, by platform.',
    ['platform'],
  );
  const sent = registry.counter(
    'chatdesk_messages_sent_total',
    'Messages delivered to a chat platform, by platform.',
    ['platform'],
  );
  const backlog = registry.gauge(
    'chatdesk_outbox_backlog',
    'Messages waiting in the outbox for delivery, by platform.',
    ['platform'],
  );
  const dead = registry.counter(
    'chatdesk_outbox_dead_total',
    'Messages given up after all delivery attempts, by platform.',
    ['platform'],
  );
  const handoffs = registry.counter(
    'chatdesk_handoffs_total',
    'Conversations the bot handed to a person, by reason.',
    ['reason'],
  );
  const open = registry.gauge('chatdesk_tickets_open', 'Open tickets, by assignment group.', ['group']);
  const breached = registry.gauge(
    'chatdesk_sla_breached_open_tickets',
    'Open tickets whose SLA clock is breached, by clock.',
    ['clock'],
  );
  const classifierConfidence = registry.histogram(
    'chatdesk_classifier_confidence',
    'Confidence of the intent classifier for each classified message.',
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
  );
  registry.collect(async () => {
    const s = await snapshot();
    for (const m of [received, sent, backlog, dead, handoffs, open, breached]) m.reset();
    for (const r of s.received) received.set({ platform: r.platform }, r.count);
    for (const r of s.sent) sent.set({ platform: r.platform }, r.count);
    for (const r of s.outboxBacklog) backlog.set({ platform: r.platform }, r.count);
    for (const r of s.outboxDead) dead.set({ platform: r.platform }, r.count);
    for (const r of s.handoffs) {
      const reason = normalizeReason(r.reason);
      handoffs.set({ reason }, handoffs.get({ reason }) + r.count);
    }
    for (const r of s.openTickets) open.set({ group: r.group }, r.count);
    for (const clock of ['response', 'resolution'] as const)
      breached.set({ clock }, s.slaBreachedOpen.find((b) => b.clock === clock)?.count ?? 0);
  });
  return { registry, classifierConfidence };
}

/**
 * Wraps an NLU's intent classifier so every classification is observed in the confidence histogram;
 * structural so this module needs nothing from nlu/.
 */
export function observeClassifier<
  N extends { intents: { classify(text: string, opts?: object): Promise<{ confidence: number }> } },
>(nlu: N, h: Histogram): N {
  const inner = nlu.intents;
  const classify = async (text: string, opts?: object) => {
    const p = await inner.classify(text, opts);
    if (Number.isFinite(p.confidence)) h.observe(p.confidence);
    return p;
  };
  // A proxy, not a copy: the classifier may be a class instance with private fields and other methods.
  const intents = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'classify') return classify;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { ...nlu, intents };
}
