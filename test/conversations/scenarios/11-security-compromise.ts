import { scenario } from '../script.js';

/** Issue 16 item 5: a security compromise is urgent, goes to the security team, with the reason shown. */
export default scenario(
  {
    id: '11-security-compromise',
    title: 'Credentials typed into a phishing page come out P2 for Network & Security',
    covers: ['5'],
  },
  `
user: I clicked a phishing link and typed my password
bot: I've opened {INC:phish}
bot: because you entered your credentials after a phishing link
bot!: Is anyone besides you affected
ticket {phish}: priority=P1|P2 category=security group=infra urgency=high
`,
);
