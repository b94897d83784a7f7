import { scenario } from '../script.js';

/**
 * Sure it is a fault, unsure which kind (e-mail or software? a typo in the app's name): the ticket is
 * opened as usual, with the impact question, instead of handing the conversation to a person.
 */
export default scenario(
  {
    id: '39-sure-fault-unsure-kind',
    title: 'A clear fault of unclear kind opens a ticket instead of going to a person',
    covers: ['1'],
  },
  `
user: teams keeps logging me out every hour
bot: I've opened {INC:teams}
bot: Is anyone besides you affected
bot!: handing this to a person
user: my outlok wont open since this morning
bot: I've opened {INC:outlook}
bot!: handing this to a person
tickets: 2
`,
);
