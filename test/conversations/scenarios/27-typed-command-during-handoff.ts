import { scenario } from '../script.js';

/**
 * A handoff does not trap the requester's commands: a typed command about another ticket runs (the
 * bot answers it), while words about the handed-off ticket still go to the person.
 */
export default scenario(
  {
    id: '27-typed-command-during-handoff',
    title: 'During a handoff, "status" of another ticket is answered; the agent still gets the rest',
    covers: ['2'],
  },
  `
user: I need to talk to a human about my expense tool login
bot: I'm handing this to a person from the service desk ({INC:login})
agent grace @{login}: Hi, which browser do you use?
bot: Hi, which browser do you use?
user: also my monitor flickers and goes black every few minutes since this morning
bot: I've opened {INC:monitor}
user: status {monitor}
bot: {monitor}
bot!: Added to
bot!: I'm handing this
ticket {login}: comments~!status
user: Firefox, the latest version
bot!: opened
ticket {login}: comments~Firefox
`,
);
