import { scenario } from '../script.js';

/** Nobody has to say what went wrong: a new problem instead drops the question, it is not put on hold. */
export default scenario(
  {
    id: '41-poor-rating-then-new-problem',
    title: 'A new problem instead of saying what went wrong drops the question for good',
    covers: ['1'],
  },
  `
user: my second monitor flickers all the time
bot: I've opened {INC:monitor}
user: just me
user: it works now
bot: Glad it works! {monitor} is resolved
user: 2
bot: What went wrong?
user: the vpn drops every few minutes since lunch
bot: I've opened {INC:vpn}
bot!: on hold
user: just me
bot!: back to your addition
ticket {monitor}: comments~!vpn
`,
);
