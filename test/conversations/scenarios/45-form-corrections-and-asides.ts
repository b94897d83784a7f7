import { scenario } from '../script.js';

/**
 * Forms take the answers people give in passing: a sentence about another field is noted for that
 * field (not taken as a job title), "actually make it tuesday" corrects an answer already given,
 * "can you cancel that please" stops the form, and "no rush" leaves an optional date empty.
 */
export default scenario(
  {
    id: '45-form-corrections-and-asides',
    title: 'A form takes asides, corrections, a polite cancel and "no rush"',
    covers: ['4'],
  },
  `
user: we have a new starter joining on monday, Anna Schmidt, data analyst in marketing
bot: Job title (required)?
user: she'll need a laptop
bot: Noted Equipment: Laptop
bot: Job title (required)?
user: actually make it tuesday
bot: Changed Start date
bot: Job title (required)?
user: data analyst
bot: Manager email (required)?
user: can you cancel that please
bot: OK, I've stopped your New hire onboarding
tickets: 0
user: can I get access to salesforce
bot: Access level (required)?
user: standard
user: me
bot: Business justification (required)?
user: I need it to update the sales forecast for Q1
bot: Needed by (optional
user: no rush
bot: your request {REQ:sf} "Software or access request: Salesforce, Standard user" is submitted
ticket {sf}: field.justification~forecast field.needed_by=
`,
);
