import { scenario } from '../script.js';

/** Issue 16 item 5: a whole office without internet is an emergency, handed to a person at once. */
export default scenario(
  {
    id: '12-office-outage',
    title: 'The whole office offline comes out P1, without asking who is affected',
    covers: ['5'],
  },
  `
user: the whole office internet is down, nobody on floor 2 can work!!!
bot: I've opened {INC:outage}
bot: Priority P1, because many people are affected and they cannot work
bot: I'm handing this to a person from the service desk ({outage})
bot!: Is anyone besides you affected
ticket {outage}: priority=P1 impact=high urgency=high group=infra
`,
);
