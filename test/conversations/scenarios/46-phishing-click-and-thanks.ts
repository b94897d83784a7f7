import { scenario } from '../script.js';

/**
 * A clicked phishing link is urgent for the security team (the phishing article promises as much),
 * and the bot does not suggest saying "it works now" about it. "Thanks, that worked" after an article
 * is a yes: the article solved it.
 */
export default scenario(
  {
    id: '46-phishing-click-and-thanks',
    title: 'A clicked phishing link is urgent; "thanks that worked" answers an article',
    covers: ['5'],
  },
  `
user: I think I clicked on a phishing link in an email
bot: I've opened {INC:phish}
bot: because you opened a phishing link
bot!: If it starts working again
ticket {phish}: priority=P1|P2 category=security urgency=high
user: what's the wifi password for guests?
bot: Did this solve it?
user: thanks that worked
bot: glad that solved it
bot!: You're welcome
tickets: 1
`,
);
