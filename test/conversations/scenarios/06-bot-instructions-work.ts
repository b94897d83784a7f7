import { scenario } from '../script.js';

/** Issue 16 item 3: the replies the bot itself asks for are understood in the context of its question. */
export default scenario(
  {
    id: '06-bot-instructions-work',
    title: '"it works now", "no, just me" and a bare "5" do what the bot said',
    covers: ['3'],
  },
  `
user: outlook freezes every time I search my inbox
bot: I've opened {INC:outlook}
bot: Is anyone besides you affected
user: no, just me, I can still work
bot: Thanks, noted: {outlook} stays
bot!: What would you like to do
user: it's fixed now, thanks
bot: Glad it works! {outlook} is resolved
bot: Rate 1 (poor) to 5 (great)
bot!: handing this to a person
user: 5
bot: Thanks for rating {outlook}
bot!: not something the IT desk can help with
ticket {outlook}: state=resolved
`,
);
