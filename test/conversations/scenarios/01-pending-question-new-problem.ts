import { scenario } from '../script.js';

/** Issue 16 item 1: a pending question must not swallow the next, unrelated problem. */
export default scenario(
  {
    id: '01-pending-question-new-problem',
    title: 'A new problem while the bot waits for an answer opens its own ticket',
    covers: ['1', '5'],
  },
  `
user: excel keeps crashing when I open big files
bot: I've opened {INC:excel}
bot: Is anyone besides you affected
user: SAP throws error 500 when we post invoices, the whole AP team is blocked
bot: ({excel}, your earlier report, stays as it is.)
bot: I've opened {INC:sap}
bot: because many people are affected and they cannot work
bot!: Is anyone besides you affected
ticket {excel}: priority=P4|P3 comments=
ticket {sap}: priority=P1|P2 title~SAP
tickets: 2
`,
);
