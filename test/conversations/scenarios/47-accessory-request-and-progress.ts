import { scenario } from '../script.js';

/**
 * An accessory is requested as asked (a request of its own, no laptop form), and "where is my …
 * order?" is answered from the person's tickets: with nothing pending, and in the middle of a form,
 * whose question is asked again afterwards.
 */
export default scenario(
  {
    id: '47-accessory-request-and-progress',
    title: 'A keyboard is ordered without the laptop form; "where is my order?" is answered anywhere',
    covers: ['4'],
  },
  `
user: can you order me a new keyboard please
bot: I've opened {REQ:kbd}
bot!: Request a laptop
ticket {kbd}: kind=service_request category=hardware
user: where is my keyboard order?
bot: Your open tickets (1)
bot!: handing this to a person
user: I need a new laptop, mine is broken
bot: Model (required)?
user: where is my keyboard order?
bot: Your open tickets (1)
bot: Model (required)?
tickets: 1
`,
);
