import { scenario } from '../script.js';

/** Issue 16 item 2: small talk and out-of-scope messages never hand off an existing ticket. */
export default scenario(
  {
    id: '05-small-talk-never-hands-off',
    title: 'Out-of-scope messages do not hand an unrelated ticket to a person',
    covers: ['2'],
  },
  `
user: the internet is down on my laptop since this morning
bot: I've opened {INC:net}
user: just me
user: book a flight
bot: not sure that's something the IT desk can help with
user: weather?
bot: not sure that's something the IT desk can help with
bot!: handing this to a person
ticket {net}: comments=
tickets: 1
`,
);
