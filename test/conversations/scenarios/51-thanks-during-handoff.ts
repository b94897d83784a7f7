import { scenario } from '../script.js';

/**
 * While a hand-off waits for a person, thanks or a goodbye still go on the ticket and to the agents,
 * but the requester is not told their "thanks" was added to the ticket; more detail still is.
 */
export default scenario(
  {
    id: '51-thanks-during-handoff',
    title: 'Thanks during a hand-off is acknowledged, not "added to" the ticket',
    covers: ['2'],
  },
  `
user: I want to talk to a human about the vpn dropping every few minutes
bot: I'm handing this to a person from the service desk ({INC:vpn})
user: thanks a lot
bot: {vpn} is still with the service desk
bot!: Added to
ticket {vpn}: comments~thanks a lot
user: it also drops when I'm at home
bot: Added to {vpn}
tickets: 1
`,
);
