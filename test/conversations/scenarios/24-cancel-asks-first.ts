import { scenario } from '../script.js';

/** A demanding user: cancelling "my ticket" names it and asks before doing what cannot be undone. */
export default scenario(
  {
    id: '24-cancel-asks-first',
    title: 'Cancelling without a number confirms which ticket first',
    covers: ['6', '7'],
  },
  `
user: my second monitor shows no signal
bot: I've opened {INC:mon}
user: just me
user: please cancel my ticket
bot: Cancel {mon}
bot!: is cancelled
user: yes
bot: {mon} is cancelled
ticket {mon}: state=cancelled
`,
);
