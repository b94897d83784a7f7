import { scenario } from '../script.js';

/**
 * During a hand-off, a progress question about another problem is answered by the bot from the
 * person's tickets (even when the classifier reads the problem's words as a fault); one about the
 * ticket in hand, or with no subject at all, goes to the person who has it, and never opens a
 * duplicate ticket.
 */
export default scenario(
  {
    id: '44-progress-questions-during-handoff',
    title: 'During a handoff, progress questions go to the bot or the person by what they are about',
    covers: ['2'],
  },
  `
user: my second monitor keeps flickering since this morning
bot: I've opened {INC:monitor}
user: only me
user: I want to talk to a human about my outlook calendar not syncing
bot: I'm handing this to a person from the service desk ({INC:outlook})
user: any news on my monitor ticket?
bot: Your open tickets (2)
ticket {outlook}: comments~!monitor
user: any update?
bot: Added to {outlook}
user: is anyone looking at my outlook problem?
bot: Added to {outlook}
bot!: new problem
tickets: 2
user: what about the flickering screen, is someone on it?
bot: Your open tickets (2)
bot!: new problem
tickets: 2
ticket {outlook}: comments~!flickering
`,
);
