import { scenario } from '../script.js';

/** A demanding user: status, help and cancel work in the middle of a form without losing it or getting stuck. */
export default scenario(
  {
    id: '18-form-commands',
    title: 'Commands inside a form: status, a wrong answer twice, cancel',
    covers: ['1', '4'],
  },
  `
user: I need a new laptop
bot: Reason (required)?
user: status
bot: You have no open tickets
bot: Now, back to the question: Reason (required)?
user: purple
bot: I couldn't match that to the options for Reason
user: green
bot: Say "cancel" to stop
user: cancel
bot: OK, I've stopped your Request a laptop
user: hi
bot: Hi {first}!
bot!: Reason
tickets: 0
`,
);
