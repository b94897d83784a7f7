import { scenario } from '../script.js';

/** Issue 16 item 1: a question in the middle of a form is answered, then the form continues where it was. */
export default scenario(
  {
    id: '21-form-resumes-after-question',
    title: 'A how-to question inside a form is answered, then the form resumes',
    covers: ['1', '4'],
  },
  `
user: I need a new laptop
bot: Reason (required)?
user: how do I add a network printer
bot: I've put your Request a laptop on hold
bot: This article should help
user: yes
bot: glad that solved it
bot: Now, back to your Request a laptop: Reason (required)?
user: replacement, mine is old
bot: Model (required)?
user: cancel
bot: OK, I've stopped your Request a laptop
tickets: 0
`,
);
