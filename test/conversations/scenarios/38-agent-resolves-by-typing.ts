import { scenario } from '../script.js';

/**
 * An agent resolves by typing "resolve: what fixed it" in the ticket's thread: the same as the card's
 * Resolve button (the requester is back with the bot and asked for a rating), never the requester's
 * "it works now" with a rating question put to the agent.
 */
export default scenario(
  {
    id: '38-agent-resolves-by-typing',
    title: 'An agent types "resolve: …" in the thread; the requester is told and asked for a rating',
    covers: ['18.2'],
  },
  `
user: I need to talk to a human about the expense tool rejecting my receipts
bot: I'm handing this to a person from the service desk ({INC:expense})
agent grace @{expense}: resolve: cleared the stuck approval in the expense tool
thread: resolved
bot: cleared the stuck approval in the expense tool
bot: How did we do
ticket {expense}: state=resolved
`,
);
