import { scenario } from '../script.js';

/** Issue 16 item 4: the new-hire form takes what the first message said and natural answers. */
export default scenario(
  {
    id: '08-new-hire-slots',
    title: 'New hire: name, date and department from the first message; "me", "laptop and a monitor"',
    covers: ['4'],
  },
  `
user: new starter joining on monday, Tom Becker, in marketing
bot: From your message I have Full name: Tom Becker; Start date: ...; Department: Marketing
bot: Job title (required)?
bot!: Full name (required)?
user: Marketing Manager
bot: Manager email (required)?
user: me
bot: Work location (required)?
user: hybrid
bot: Equipment (required)?
user: laptop and a monitor please
bot: Contractor (optional
user: no
bot: Anything else (optional
user: skip
bot: your request {REQ:hire} "New hire onboarding: Tom Becker, Marketing Manager" is submitted
ticket {hire}: field.full_name=Tom Becker field.department=Marketing field.equipment=Laptop,Monitor field.location=Hybrid field.contractor=false field.manager_email={email}
`,
);
