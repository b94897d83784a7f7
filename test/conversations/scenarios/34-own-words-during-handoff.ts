import { scenario } from '../script.js';

/**
 * During a hand-off, the requester's own list ("my tickets") is answered by the bot, and "never mind,
 * it's fine now" does what the hand-off's "It works now: close" button does; the agent's question
 * before it still reached the requester and ordinary answers still go to the agent.
 */
export default scenario(
  {
    id: '34-own-words-during-handoff',
    title: 'During a handoff, "my tickets" is answered and "never mind, it\'s fine now" closes the ticket',
    covers: ['2'],
  },
  `
user: I want to speak to a human about the payroll portal timing out
bot: I'm handing this to a person from the service desk ({INC:payroll})
agent grace @{payroll}: Hello, does it happen in another browser too?
bot: Hello, does it happen in another browser too?
user: yes, in edge as well
bot!: Your open tickets
ticket {payroll}: comments~edge
user: my tickets
bot: Your open tickets (1)
ticket {payroll}: comments~!my tickets
user: never mind, it's fine now
bot: Glad it works! {payroll} is resolved
ticket {payroll}: state=resolved
`,
);
