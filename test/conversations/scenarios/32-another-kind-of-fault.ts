import { scenario } from '../script.js';

/**
 * A pending question must not swallow a new problem worded without the usual problem words: a fault
 * of another kind than the ticket's is a new ticket. More about the same fault, even in the past
 * tense ("it worked yesterday…"), goes on that ticket and does not close it.
 */
export default scenario(
  {
    id: '32-another-kind-of-fault',
    title:
      'Another kind of fault while the impact question waits opens its own ticket; "it worked yesterday" is more detail',
    covers: ['1', '3'],
  },
  `
user: excel closes by itself whenever I save a big workbook
bot: I've opened {INC:excel}
bot: Is anyone besides you affected
user: the beamer in meeting room 4 shows no picture from my laptop
bot: ({excel}, your earlier report, stays as it is.)
bot: I've opened {INC:beamer}
user: it worked yesterday with the same hdmi cable
bot: Added that to {beamer}
bot!: Glad it works
ticket {beamer}: state=new|assigned comments~yesterday
ticket {excel}: comments~!beamer
tickets: 2
`,
);
