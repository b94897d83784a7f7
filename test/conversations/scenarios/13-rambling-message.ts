import { scenario } from '../script.js';

/** Issue 16 item 6: adding to an existing ticket needs evidence; a long unrelated message is a new report. */
export default scenario(
  {
    id: '13-rambling-message',
    title: 'A long message about something else is not appended to an old ticket',
    covers: ['6'],
  },
  `
user: my vpn disconnects every hour on the dot
bot: I've opened {INC:vpn}
user: just me
user: I want to add some more information: since the update yesterday excel freezes whenever I paste a large table and when that happens teams also stops showing my calendar so I miss my meetings, I restarted twice and cleared the cache but it keeps happening every afternoon and my colleague has the same thing
bot: I've opened {INC:excel}
bot!: Added to {vpn}
ticket {vpn}: comments=
user: add to {vpn}: it also happens on the office wifi
bot: Added to {vpn}
ticket {vpn}: comments~office wifi
`,
);
