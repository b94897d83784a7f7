import { scenario } from '../script.js';

/**
 * "It works now" after a new report, while an earlier ticket is resolved and waiting for its
 * confirmation: the open problem is the one that works now, not the resolved one.
 */
export default scenario(
  {
    id: '42-works-now-open-beside-resolved',
    title: '"It works now" resolves the open problem, not an already resolved ticket',
    covers: ['3'],
  },
  `
user: my vpn keeps dropping every few minutes
bot: I've opened {INC:vpn}
user: just me
user: it works now
bot: Glad it works! {vpn} is resolved
user: 5
user: outlook freezes when I search my inbox
bot: I've opened {INC:outlook}
user: just me
user: it works now
bot: {outlook} is resolved
bot!: {vpn} is closed
ticket {vpn}: state=resolved
ticket {outlook}: state=resolved
`,
);
