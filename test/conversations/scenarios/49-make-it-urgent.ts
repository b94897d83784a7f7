import { scenario } from '../script.js';

/**
 * "Can you make it urgent, I have a deadline today" with nothing pending raises the ticket the
 * conversation is about (it was "not something the IT desk can help with"); a new problem said to be
 * urgent is still a report of its own. With no ticket to raise, nothing is raised or opened.
 */
export default scenario(
  {
    id: '49-make-it-urgent',
    title: '"Make it urgent" raises the ticket in hand; a new urgent problem is a new ticket',
    covers: ['3'],
  },
  `
user: can you make it urgent please
bot: You have no open ticket to make urgent
tickets: 0
user: outlook will not sync my calendar since this morning
bot: I've opened {INC:outlook}
user: just me
user: can you make it urgent, I have a deadline today
bot: {outlook} is now P3
bot!: not sure that's something
ticket {outlook}: urgency=high
user: my laptop screen is cracked, it's urgent
bot: I've opened {INC:laptop}
tickets: 2
`,
);
