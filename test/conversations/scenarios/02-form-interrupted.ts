import { scenario } from '../script.js';

/** Issue 16 item 1: a new problem in the middle of a form interrupts it; the form waits and resumes. */
export default scenario(
  {
    id: '02-form-interrupted',
    title: 'A problem reported in the middle of a form is opened, then the form resumes',
    covers: ['1', '4'],
  },
  `
user: I need access to Salesforce
bot: Software or access request
bot: Access level (required)?
bot!: Application (required)?
user: wifi not workin in meeting room 4B
bot: I've put your Software or access request on hold
bot: I've opened {INC:wifi}
bot!: must be one of
ticket {wifi}: category=network group=infra
user: just me, I can still work
bot: Now, back to your Software or access request: Access level
user: standard
bot: For whom
bot!: Application name (if Other)
user: me
bot: Business justification (required)?
user: to follow up my accounts in the Q3 pipeline review
bot: Needed by (optional
user: skip
bot: your request {REQ:req} "Software or access request: Salesforce, Standard user" is submitted
bot: needs approval first
ticket {req}: field.application=Salesforce field.access_level=Standard user state=pending
tickets: 2
`,
);
