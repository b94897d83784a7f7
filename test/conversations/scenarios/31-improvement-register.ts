import { scenario } from '../script.js';

/** Issue 18 item 12: a manager reads and works the improvement register from chat. */
export default scenario(
  {
    id: '31-improvement-register',
    title:
      'A manager sees the improvement register, evaluates the targets and gets a clear refusal for an unknown item',
    covers: ['18.12'],
  },
  `
as maria
user: improvements
bot: Improvement register: ... open, ... in progress, ... done, ... dismissed.
user: evaluate improvements
bot: Targets evaluated: ... item(s) opened
user: improvement 999 in progress
bot: There is no improvement item #999
`,
);
