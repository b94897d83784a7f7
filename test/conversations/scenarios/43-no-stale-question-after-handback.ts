import { scenario } from '../script.js';

/**
 * A question the bot asked before a hand-off ("What would you like to add?") does not come back
 * after the agent hands the conversation back: the person has talked to a human since.
 */
export default scenario(
  {
    id: '43-no-stale-question-after-handback',
    title: 'After a hand-back, a question from before the hand-off is not asked again',
    covers: ['2'],
  },
  `
user: my vpn keeps dropping every few minutes
bot: I've opened {INC:vpn}
user: just me
user: add info to {vpn}
bot: What would you like to add to {vpn}?
user: I want to talk to a person
bot: person from the service desk ({vpn})
agent judy @{vpn} click: Claim
agent judy @{vpn}: Please restart the vpn client and tell me if it still drops
bot: Please restart the vpn client
agent judy @{vpn} click: Hand back to bot
user: thanks
bot!: What would you like to add
ticket {vpn}: comments~!thanks
`,
);
