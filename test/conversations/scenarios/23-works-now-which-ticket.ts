import { scenario } from '../script.js';

/** Issue 16 item 3: "it works now" with two open problems asks which one, instead of guessing. */
export default scenario(
  {
    id: '23-works-now-which-ticket',
    title: '"It works now" with two open problems asks which',
    covers: ['3', '6'],
  },
  `
user: my vpn keeps dropping every few minutes
bot: I've opened {INC:vpn}
user: just me
user: outlook freezes when I search my inbox
bot: I've opened {INC:outlook}
user: just me
user: it works now
bot: Which ticket works now?
bot!: is resolved
user: the outlook one
bot: Glad it works! {outlook} is resolved
ticket {vpn}: state=new|assigned
`,
);
