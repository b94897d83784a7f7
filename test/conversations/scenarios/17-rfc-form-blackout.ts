import { scenario } from '../script.js';

/** Issue 18 item 10: after a blackout refusal the RFC form asks only for another window and keeps the rest. */
export default scenario(
  {
    id: '17-rfc-form-blackout',
    title: 'The RFC form re-asks only the window after a blackout',
    covers: ['18.10'],
  },
  `
as mallory
user: rfc
bot: What will be changed (required)?
user: Replace the core switch in the server room
bot: Type (required)?
user: normal
bot: Impact (required)?
user: high
bot: Urgency (required)?
user: low
bot: Affected assets
user: skip
bot: When should it happen?
user: 2026-12-22 18:00 to 20:00 UTC
bot: Implementation and back-out plan
user: swap the switch, restore the config backup; back-out: put the old one back
bot: blackout "year-end freeze"
bot: Your other answers are kept
bot: When should it happen?
bot!: What will be changed
user: 2027-01-16 18:00 to 20:00 UTC
bot: Opened {CHG:rfc} "Replace the core switch in the server room"
bot: Submit {rfc} for approval now?
user: no
bot: {rfc} stays as it is
ticket {rfc}: kind=change impact=high urgency=low
`,
);
