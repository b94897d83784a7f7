import { scenario } from '../script.js';

/** Issue 18 item 10: a change typed in chat is scheduled and submitted from chat; a blackout asks only the window again. */
export default scenario(
  {
    id: '16-change-from-chat',
    title: 'A typed change gets its window (a blackout is refused and asked again) and is submitted',
    covers: ['18.10'],
  },
  `
as judy
user: change normal high/medium: upgrade the VPN gateway firmware on SV-4001
bot: Opened {CHG:chg} "upgrade the VPN gateway firmware"
bot: When should it happen?
user: 2026-12-20 20:00 to 22:00 UTC
bot: blackout "year-end freeze"
bot: When should it happen?
user: 2027-02-06 20:00 to 22:00 UTC
bot: Scheduled {chg} for 2027-02-06 20:00 – 2027-02-06 22:00 UTC
bot: Submit {chg} for approval now?
user: yes
bot: {chg} is submitted: 3 CAB members will vote
ticket {chg}: kind=change state=pending
`,
);
