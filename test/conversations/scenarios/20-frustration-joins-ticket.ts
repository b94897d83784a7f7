import { scenario } from '../script.js';

/** Issue 16 item 2: the message that causes a handoff is saved on the ticket it is about. */
export default scenario(
  {
    id: '20-frustration-joins-ticket',
    title: 'A frustrated message hands over the ticket being discussed, with the message on it',
    covers: ['2'],
  },
  `
user: my vpn keeps dropping every few minutes
bot: I've opened {INC:vpn}
user: this is useless, I just want my vpn to work
bot: I'm handing this to a person from the service desk ({vpn})
ticket {vpn}: comments~this is useless
tickets: 1
`,
);
