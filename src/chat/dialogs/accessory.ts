/**
 * "Can you order me a new keyboard": a hardware request for an accessory. The laptop form is for
 * laptops; an accessory is requested as it was asked, as a service request of its own that the
 * workplace team fulfils, with no form to fill in.
 */
import { openAndTell } from './steps.js';
import type { NewTicket, Step, Turn } from './types.js';
import { titleFrom } from './words.js';

const ACCESSORY =
  /\b(keyboards?|mouse|mice|monitors?|screens?|headsets?|headphones?|earphones?|webcams?|docking stations?|docks?|chargers?|power adapters?|adapters?|cables?|speakers?|mouse ?pads?|laptop stands?|usb (?:sticks?|hubs?))\b/i;
const COMPUTER = /\b(laptops?|notebooks?|computers?|pcs?|mac ?books?|thinkpads?|desktops?|workstations?)\b/i;

/** The message asks for accessories only (no computer): it needs no laptop form. */
export const asksForAccessory = (text: string): boolean => ACCESSORY.test(text) && !COMPUTER.test(text);

export function requestAccessory(turn: Turn): Step {
  const p = turn.nlu.prediction;
  const input: NewTicket = {
    kind: 'service_request',
    title: titleFrom(turn.text),
    description: turn.text,
    impact: 'low',
    urgency: 'medium',
    category: 'hardware',
    decisions: { intent: p.intent, confidence: p.confidence },
  };
  return openAndTell(input, turn.text, ['The workplace team will get it to you; say "status" to follow it.']);
}
