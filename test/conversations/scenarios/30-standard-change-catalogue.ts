import { scenario } from '../script.js';

/** Issue 18 item 10: a standard change comes from the catalogue and is pre-approved; one not in it is refused. */
export default scenario(
  {
    id: '30-standard-change-catalogue',
    title:
      'A standard change from the catalogue is pre-approved; an unknown template is refused with the list',
    covers: ['18.10'],
  },
  `
as judy
user: change standard os-patch: monthly patches on LT-1001
bot: Opened {CHG:std} "monthly patches"
bot: When should it happen?
user: 2027-02-06 20:00 to 22:00 UTC
bot: Scheduled {std} for 2027-02-06 20:00 – 2027-02-06 22:00 UTC
bot: Submit {std} for approval now?
user: yes
bot: {std} is a standard change: pre-approved and scheduled
ticket {std}: kind=change state=assigned
user: change standard db-upgrade: move the database to new hardware
bot: "db-upgrade" is not in the standard change catalogue (os-patch, cert-renewal)
`,
);
