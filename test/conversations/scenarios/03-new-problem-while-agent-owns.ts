import { scenario } from '../script.js';

/** Issue 16 item 2: while a person owns the conversation, a clearly new problem opens a new ticket. */
export default scenario(
  {
    id: '03-new-problem-while-agent-owns',
    title: 'A new problem during a handoff opens its own ticket; the agent is told',
    covers: ['2'],
  },
  `
user: I need to talk to a human about my expense tool login
bot: I'm handing this to a person from the service desk ({INC:login})
buttons!: Talk to a person
agent grace @{login}: Hi, which browser do you use?
bot: Hi, which browser do you use?
user: Firefox, the latest version
bot!: opened
ticket {login}: comments~Firefox
user: also my monitor flickers and goes black every few minutes since this morning
bot: That sounds like a new problem
bot: I've opened {INC:monitor}
bot: is still with you on {login}
ticket {monitor}: category=hardware group=workplace
ticket {login}: comments~!monitor flickers
`,
);
