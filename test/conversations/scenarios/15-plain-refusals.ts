import { scenario } from '../script.js';

/** Issue 16 item 7: refusals in plain words, no "Talk to a person" after a handoff. */
export default scenario(
  {
    id: '15-plain-refusals',
    title: 'Refusals are written for people; the card stops offering a person once one has it',
    covers: ['7'],
  },
  `
user: teams calls keep dropping the audio
bot: I've opened {INC:audio}
user: cancel {audio}
bot: {audio} is cancelled
user: reopen {audio}
bot: {audio} is cancelled, so it can't be reopened
bot!: in_progress
bot!: is final
user: my keyboard types the wrong letters since this morning
bot: I've opened {INC:kbd}
buttons: Talk to a person
click: Talk to a person
bot: I'm handing this to a person from the service desk ({kbd})
bot!: ; on hold
buttons!: Talk to a person
`,
);
