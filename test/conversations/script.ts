/**
 * Scripted conversations, botbuilder-style: a scenario is a readable script of what the person says
 * (or clicks) and what the bot must (and must not) say, with checks on the tickets behind it.
 *
 *   user: excel keeps crashing when I open big files    a message from the scenario's requester
 *   click: Just me, I can still work                    a button of the latest reply that has it
 *   bot: I've opened {INC:excel}                        the turn's replies contain this ({INC:x} captures)
 *   bot!: Is anyone besides you affected                 …and not this
 *   buttons: Yes, solved | No, open a ticket             the turn's replies offer these buttons
 *   buttons!: Talk to a person                           …and not this one
 *   ticket {excel}: priority=P3|P4 group=service-desk    the ticket in the database (see runner.ts)
 *   tickets: 2                                           the requester has this many tickets
 *   agent grace @{sap}: Hi, which browser?               an agent writes in the ticket's agent thread (Slack)
 *   agent grace @{sap} click: Claim                      an agent clicks a button on the handoff card
 *   thread: claimed                                      the agent thread got this during the turn
 *   as mallory                                           the scenario's requester is this existing person
 *
 * "..." in a bot line matches anything. Lines starting with # are comments.
 */

export type Expectation =
  | { kind: 'bot'; pattern: string; negate: boolean }
  | { kind: 'buttons'; labels: string[]; negate: boolean }
  | { kind: 'ticket'; ref: string; checks: Array<{ key: string; op: '=' | '~'; values: string[] }> }
  | { kind: 'tickets'; count: number }
  | { kind: 'thread'; pattern: string; negate: boolean };

export type Action =
  | { kind: 'say'; text: string }
  | { kind: 'click'; label: string }
  | { kind: 'agent_say'; agent: string; ticket: string; text: string }
  | { kind: 'agent_click'; agent: string; ticket: string; label: string };

export interface ScriptTurn {
  line: number;
  source: string;
  action: Action;
  expect: Array<Expectation & { line: number; source: string }>;
}

export interface Scenario {
  id: string;
  title: string;
  /** Numbered failures of issue 16 (and issue 18 item 10 as "18.10") this scenario covers. */
  covers: string[];
  /** An existing person of the directory (staff scenarios); default: a fresh employee of its own. */
  as?: string;
  turns: ScriptTurn[];
}

export function scenario(meta: { id: string; title: string; covers: string[] }, script: string): Scenario {
  const turns: ScriptTurn[] = [];
  let as: string | undefined;
  script.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const source = raw.trim();
    if (source === '' || source.startsWith('#')) return;
    const asLine = /^as\s+(\S+)$/.exec(source);
    if (asLine?.[1]) {
      as = asLine[1];
      return;
    }
    const push = (action: Action) => turns.push({ line, source, action, expect: [] });
    const expect = (e: Expectation) => {
      const t = turns.at(-1);
      if (!t) throw new Error(`${meta.id}:${line}: an expectation before any turn`);
      t.expect.push({ ...e, line, source });
    };
    const agent = /^agent\s+(\w+)\s+@\{(\w+)\}(\s+click)?\s*:\s*(.*)$/i.exec(source);
    if (agent?.[1] && agent[2]) {
      const rest = (agent[4] ?? '').trim();
      if (agent[3]) push({ kind: 'agent_click', agent: agent[1], ticket: agent[2], label: rest });
      else push({ kind: 'agent_say', agent: agent[1], ticket: agent[2], text: rest });
      return;
    }
    const ticket = /^ticket\s+\{(\w+)\}\s*:\s*(.*)$/i.exec(source);
    if (ticket?.[1]) {
      const checks = (ticket[2] ?? '').split(/\s+(?=[\w.]+[=~])/).map((c) => {
        const kv = /^([\w.]+)([=~])(.*)$/.exec(c.trim());
        if (!kv?.[1] || !kv[2]) throw new Error(`${meta.id}:${line}: bad check "${c}"`);
        return { key: kv[1], op: kv[2] as '=' | '~', values: (kv[3] ?? '').split('|') };
      });
      expect({ kind: 'ticket', ref: ticket[1], checks });
      return;
    }
    const m = /^(user|click|bot!?|thread!?|buttons!?|tickets)\s*:\s?(.*)$/i.exec(source);
    if (!m?.[1]) throw new Error(`${meta.id}:${line}: cannot read "${source}"`);
    const head = m[1].toLowerCase();
    const rest = (m[2] ?? '').trim();
    const negate = head.endsWith('!');
    switch (head.replace('!', '')) {
      case 'user':
        push({ kind: 'say', text: rest });
        return;
      case 'click':
        push({ kind: 'click', label: rest });
        return;
      case 'bot':
        expect({ kind: 'bot', pattern: rest, negate });
        return;
      case 'thread':
        expect({ kind: 'thread', pattern: rest, negate });
        return;
      case 'buttons':
        expect({ kind: 'buttons', labels: rest.split('|').map((l) => l.trim()), negate });
        return;
      default:
        expect({ kind: 'tickets', count: Number(rest) });
    }
  });
  return { ...meta, ...(as ? { as } : {}), turns };
}
