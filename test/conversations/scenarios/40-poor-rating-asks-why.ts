import { scenario } from '../script.js';

/** A poor rating given without a word is followed by "what went wrong?"; the answer reaches the desk. */
export default scenario(
  {
    id: '40-poor-rating-asks-why',
    title: 'One star without a comment: the bot asks what went wrong and puts the answer on the ticket',
    covers: ['3'],
  },
  `
user: two keys on my keyboard are missing since this morning
bot: I've opened {INC:keys}
user: just me
user: it works now
bot: Glad it works! {keys} is resolved
user: 1
bot: Thanks for rating {keys} ★!
bot: What went wrong?
user: nobody answered for two days, I fixed it myself
bot: Added to {keys}
ticket {keys}: comments~two days
`,
);
