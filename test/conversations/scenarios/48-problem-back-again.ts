import { scenario } from '../script.js';

/**
 * The same problem back again before its ticket is closed reopens that ticket instead of opening a
 * second one; another problem "again" is still a report of its own.
 */
export default scenario(
  {
    id: '48-problem-back-again',
    title: 'A resolved problem that comes back reopens its ticket',
    covers: ['3'],
  },
  `
user: my vpn keeps dropping every few minutes
bot: I've opened {INC:vpn}
user: just me
user: it works now
bot: {vpn} is resolved
user: 5
user: the vpn is dropping again
bot: {vpn} is reopened
bot!: I've opened
tickets: 1
ticket {vpn}: state=in_progress
user: the printer on floor 2 is jammed again
bot: I've opened {INC:printer}
tickets: 2
`,
);
