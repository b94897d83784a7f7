import { scenario } from '../script.js';

/** Issue 16 item 4: options by synonyms and typos, dates like "next friday" and "asap". */
export default scenario(
  { id: '09-laptop-natural-answers', title: 'Laptop request answered the way people talk', covers: ['4'] },
  `
user: I need a new laptop, mine is broken
bot: From your message I have Reason: Replacement (broken)
bot: Model (required)?
user: macbok pro
bot: Operating system (required)?
user: mac
bot: Accessories (optional
user: a dock and a headset
bot: Needed by (required)?
user: asap
bot: Delivery location (required)?
user: Berlin office, 3rd floor
bot: Justification (optional
user: skip
bot: your request {REQ:laptop} "Request a laptop: Replacement (broken), MacBook Pro" is submitted
bot: Waiting for approval
ticket {laptop}: field.model=MacBook Pro field.operating_system=macOS field.accessories=Docking station,Headset state=pending
`,
);
