import { scenario } from '../script.js';

/**
 * "Kind of, but…" after an article: the article did not fully solve it, so the next one is offered.
 * The ticket a person then gets is titled with the question that was asked and carries what the
 * articles did not cover.
 */
export default scenario(
  {
    id: '37-article-half-helped',
    title: 'A half-helpful article: the next one is offered, the hand-off keeps the question and the detail',
    covers: ['1'],
  },
  `
user: how do I connect to the office printer from my macbook
bot: Did this solve it?
user: sort of, but the mac wants a driver that I cannot find anywhere
bot: Maybe this one
user: no
bot: I'm handing this to a person from the service desk ({INC:printer})
ticket {printer}: title~printer description~driver
`,
);
