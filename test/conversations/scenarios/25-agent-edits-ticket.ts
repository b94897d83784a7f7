import { scenario } from '../script.js';

/**
 * A requester's claim stops at the ceiling (P2); agents edit the ticket from its thread, under the
 * group rule: an agent of another group is refused, one of the ticket's group sets P1 and pends it.
 */
export default scenario(
  {
    id: '25-agent-edits-ticket',
    title: 'A requester cannot make a jammed printer P1; its agents set priority and pend it from the thread',
    covers: ['18.3', '18.4'],
  },
  `
user: the printer on the 3rd floor is jammed and prints only blank pages
bot: I've opened {INC:printer}
user: my whole team is affected and we are blocked, we can't work
bot: as high as I can set it
ticket {printer}: priority=P2 group=workplace
user: talk to a person
bot: Which ticket
user: 1
bot: handing
agent grace @{printer}: priority P1
thread: only its agents
ticket {printer}: priority=P2
agent ivan @{printer}: priority P1: payroll cannot print
thread: {printer} is P1 now
ticket {printer}: priority=P1
agent ivan @{printer}: pending vendor: toner ordered
thread: is pending (vendor)
ticket {printer}: state=pending pending_reason=vendor
`,
);
