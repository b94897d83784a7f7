import { scenario } from '../script.js';

/** Typed staff commands are read before the NLU: the queue, and `priority …` never opens an incident. */
export default scenario(
  {
    id: '26-agent-queue',
    title: 'An agent asks for their queue and sets a priority by typing; neither opens a ticket',
    covers: ['18.2', '18.3'],
  },
  `
as heidi
user: my queue
bot: My open tickets
bot: My groups' unassigned queue
bot: Breaching soon
user: priority INC0999999 P1
bot: There is no ticket INC0999999
tickets: 0
`,
);
