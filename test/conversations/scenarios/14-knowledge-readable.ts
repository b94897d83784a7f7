import { scenario } from '../script.js';

/** Issue 16 item 7: a knowledge answer shows the article itself, readable, and "yes" closes it. */
export default scenario(
  {
    id: '14-knowledge-readable',
    title: 'A knowledge answer shows the article content without markdown',
    covers: ['7'],
  },
  `
user: how do I set up out of office in outlook
bot: This article should help: "Set up an out-of-office automatic reply in Outlook"
bot: File → Automatic Replies
buttons: Yes, solved
user: yes
bot: glad that solved it
tickets: 0
`,
);
