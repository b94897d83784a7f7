import { scenario } from '../script.js';

/**
 * People answer the question they expect next: a reply that does not fit the question but clearly
 * fills another open field is taken for that field, said so, and the question is asked again.
 */
export default scenario(
  {
    id: '36-answer-for-another-field',
    title: 'An answer meant for another field of the form is kept for it; the question comes again',
    covers: ['4'],
  },
  `
user: new hire Tom Becker starting next monday as a sales rep
bot: Job title: Sales Rep
bot: Manager email (required)?
user: remote
bot: Noted Work location: Remote.
bot: Manager email (required)?
bot!: I could not use that
user: maria
bot!: Work location (required)?
bot: Equipment (required)?
`,
);
