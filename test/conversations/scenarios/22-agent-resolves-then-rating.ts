import { scenario } from '../script.js';

/** The protocol end to end: claim, talk, resolve from the thread, back to the bot, a rating. */
export default scenario(
  {
    id: '22-agent-resolves-then-rating',
    title: 'An agent claims, resolves from the thread, and the bot asks for a rating',
    covers: ['2', '3'],
  },
  `
user: I need to talk to a human about the expense tool
bot: I'm handing this to a person from the service desk ({INC:exp})
agent grace @{exp} click: Claim
bot: has joined the conversation about {exp}
thread: claimed {exp}
agent grace @{exp}: resolve reset your expense tool password from the portal
bot: reset your expense tool password from the portal
bot: How did we do? Rate 1 (poor) to 5 (great)
user: 4 thanks
bot: Thanks for rating {exp} ★★★★
ticket {exp}: state=resolved
`,
);
