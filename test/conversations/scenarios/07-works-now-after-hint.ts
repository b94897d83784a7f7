import { scenario } from '../script.js';

/** Issue 16 item 3: "say 'it works now'" — and typing it closes the ticket instead of showing the menu. */
export default scenario(
  {
    id: '07-works-now-after-hint',
    title: 'Typing "it works now" closes the ticket the bot offered to close',
    covers: ['3'],
  },
  `
user: my team gets no new emails in outlook since this morning
bot: I've opened {INC:print}
bot: say "it works now"
bot!: Is anyone besides you affected
user: it works now
bot: Glad it works! {print} is resolved
bot!: What would you like to do
user: great
bot: Thanks for rating {print}
`,
);
