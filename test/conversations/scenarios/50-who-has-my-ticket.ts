import { scenario } from '../script.js';

/**
 * "Who is working on my ticket?" is answered from the ticket list, which now names who has each
 * ticket (the person, and their group) as the ticket's card does; before, the list gave the state
 * alone and the person had to open the card to learn a name.
 */
export default scenario(
  {
    id: '50-who-has-my-ticket',
    title: '"Who is working on my ticket?" names the person who has it',
    covers: ['2'],
  },
  `
user: my laptop screen is flickering
bot: I've opened {INC:screen}
user: only me
user: who is working on my ticket?
bot: Your open tickets (1)
# Dispatch picks the person by load, so the name depends on the tickets before: any name will do.
bot: {screen} · Incident · P4 · Assigned · ... (Workplace Services) — My laptop screen
bot!: Assigned · (Workplace Services)
bot!: I've opened
tickets: 1
`,
);
