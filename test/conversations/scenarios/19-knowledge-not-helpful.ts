import { scenario } from '../script.js';

/** A demanding user: an article that does not help leads to a ticket, not a loop. */
export default scenario(
  {
    id: '19-knowledge-not-helpful',
    title: 'A knowledge answer that does not help ends in a ticket',
    covers: ['3', '7'],
  },
  `
user: I forgot my password
bot: This article should help
bot: Did this solve it?
user: no, that didn't help
bot: Maybe this one
user: no, still not
bot: I'm handing this to a person from the service desk ({INC:pw})
bot!: Did this solve it?
ticket {pw}: description~forgot my password
`,
);
