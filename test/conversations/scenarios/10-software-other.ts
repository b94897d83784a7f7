import { scenario } from '../script.js';

/** Issue 16 item 4: software not in the list goes in as "Other" with its name; no "(if Other)" question. */
export default scenario(
  {
    id: '10-software-other',
    title: '"pls can u instal zoom" is a request for Zoom, not "Other, Standard user"',
    covers: ['4'],
  },
  `
user: pls can u instal zoom
bot: From your message I have Application: Other; Application name (if Other): Zoom
bot: Access level (required)?
bot!: Application (required)?
user: standard user
bot: For whom
user: for me
bot: Business justification (required)?
user: I run client calls in Zoom every day
bot: Needed by (optional
user: next friday
bot: your request {REQ:zoom} "Software or access request: Zoom, Standard user" is submitted
ticket {zoom}: title~Zoom title~!Other field.other_application=Zoom
`,
);
