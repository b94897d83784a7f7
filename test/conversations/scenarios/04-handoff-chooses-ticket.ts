import { scenario } from '../script.js';

/** Issue 16 item 2: "talk to a human" with several open tickets asks which one, and the handoff is about that one. */
export default scenario(
  {
    id: '04-handoff-chooses-ticket',
    title: '"Talk to a person" asks which ticket when it is not clear',
    covers: ['2'],
  },
  `
user: my vpn keeps dropping every few minutes
bot: I've opened {INC:vpn}
bot: While you wait, this article may help: "Fix VPN connections that fail or keep dropping"
bot: Check your internet connection first
user: just me
user: the printer on floor 3 shows paper jam but there is no paper stuck
bot: I've opened {INC:printer}
user: just me
user: can I talk to a human please
bot: Which ticket should a person help you with?
bot!: handing this to a person
buttons: Something new
user: the printer one
bot: I'm handing this to a person from the service desk ({printer})
ticket {vpn}: state=new|assigned
ticket {vpn}: comments=
`,
);
