import { scenario } from '../script.js';

/**
 * Forms take answers the way people give them: the job and a day of the month from the first
 * message, "a macbook" as a laptop, a length of time not taken for a date, "nothing else" as a skip.
 */
export default scenario(
  {
    id: '35-new-hire-told-naturally',
    title: 'New hire told the way people talk: job, "the 21st", "a macbook", "nothing else"',
    covers: ['4'],
  },
  `
user: a new accountant is joining us on the 21st, Lena Vogel
bot: From your message I have Full name: Lena Vogel; Job title: Accountant; Start date:
bot!: Job title (required)?
bot: Manager email (required)?
user: maria
bot: Work location (required)?
user: remote
bot: Equipment (required)?
user: a macbook and a headset please
bot: Contractor
user: no
bot: Anything else
user: nothing else
bot: Done: your request {REQ:hire}
ticket {hire}: field.job_title=Accountant field.department=Finance field.equipment=Laptop,Headset field.location=Remote field.notes=
`,
);
