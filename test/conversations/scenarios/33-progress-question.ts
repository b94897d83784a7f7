import { scenario } from '../script.js';

/**
 * A question about progress right after a report ("when will someone pick this up?") is answered with
 * the person's tickets, even while the impact question waits: it never hands a new ticket made of the
 * question to a person, and an employee never gets "reports are for managers" for it.
 */
export default scenario(
  {
    id: '33-progress-question',
    title: 'A progress question after a report shows the ticket instead of opening another',
    covers: ['1'],
  },
  `
user: the docking station makes both screens flicker every few minutes
bot: I've opened {INC:dock}
bot: Is anyone besides you affected
user: any idea when a technician will get to it?
bot: Your open tickets (1)
bot: {dock}
bot!: handing this to a person
bot!: Desk reports are for
user: how many days do these usually take?
bot: Your open tickets (1)
bot!: handing this to a person
bot!: Desk reports are for
tickets: 1
`,
);
