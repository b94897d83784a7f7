/**
 * The dialog stack: which dialog is active, its slots, the question it waits on, and what it
 * interrupted. It lives in the conversation row's dialog JSON (no schema change); rows written by
 * earlier versions (`{kind: 'template', …}`) are read as an empty stack, except a pending rating.
 */
import type { DialogName, DialogStack, Frame, Question, SlotValue } from './types.js';

/** Deeper than this, the oldest suspended dialog is dropped: nobody resumes a fourth-level form. */
const MAX_DEPTH = 3;

export const emptyStack = (): DialogStack => ({ v: 2, frames: [] });

function top(stack: DialogStack): Frame | null {
  return stack.frames.at(-1) ?? null;
}

export function frame(
  dialog: DialogName,
  at: string,
  opts: { ticket?: string; slots?: Record<string, SlotValue>; question?: Question | null } = {},
): Frame {
  return {
    dialog,
    ...(opts.ticket ? { ticket: opts.ticket } : {}),
    slots: opts.slots ?? {},
    question: opts.question ?? null,
    at,
  };
}

/** Replaces the active frame (or pushes onto an empty stack). */
export function replaceTop(stack: DialogStack, next: Frame): DialogStack {
  return { ...stack, misses: 0, frames: [...stack.frames.slice(0, -1), next] };
}

/** The active frame is done: it leaves the stack. */
export function popTop(stack: DialogStack): DialogStack {
  return { ...stack, misses: 0, frames: stack.frames.slice(0, -1) };
}

/**
 * Starts a dialog on top of what is there. A suspended dialog below stays (to resume); an active one
 * that is not suspended is replaced: only interruptions keep what they interrupt.
 */
export function push(stack: DialogStack, next: Frame): DialogStack {
  const kept = stack.frames.filter((f) => f.suspended === true);
  const frames = [...kept, next];
  return { v: 2, misses: 0, frames: frames.slice(Math.max(0, frames.length - MAX_DEPTH)) };
}

/** Keeps the active dialog below a new one, to resume it later. */
export function suspendTop(stack: DialogStack): DialogStack {
  const t = top(stack);
  if (!t) return stack;
  return { ...stack, frames: [...stack.frames.slice(0, -1), { ...t, suspended: true }] };
}

/** The active frame, unless it is merely waiting below an interruption. */
export function active(stack: DialogStack): Frame | null {
  const t = top(stack);
  return t && t.suspended !== true ? t : null;
}

/** The newest dialog waiting to be resumed. */
export function suspended(stack: DialogStack): Frame | null {
  return [...stack.frames].reverse().find((f) => f.suspended === true) ?? null;
}

/** A pending rating question written by the hand-back and resolution notices. */
export function ratingStack(ticket: string, at: string): DialogStack {
  return {
    v: 2,
    frames: [
      frame('rating', at, {
        ticket,
        question: {
          key: 'rating',
          expects: 'rating',
          prompt: `How did we do on ${ticket}? Rate 1 (poor) to 5 (great).`,
        },
      }),
    ],
  };
}

const DIALOGS: ReadonlySet<string> = new Set<DialogName>([
  'describe',
  'incident',
  'form',
  'knowledge',
  'pick_ticket',
  'add_info',
  'rating',
  'change',
]);

function isFrame(v: unknown): v is Frame {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return (
    typeof f.dialog === 'string' &&
    DIALOGS.has(f.dialog) &&
    typeof f.slots === 'object' &&
    f.slots !== null &&
    typeof f.at === 'string'
  );
}

/** The stored JSON → a stack. Anything unreadable becomes an empty stack rather than a stuck dialog. */
export function readStack(raw: Record<string, unknown> | null | undefined, now: string): DialogStack {
  if (!raw) return emptyStack();
  if (raw.v === 2 && Array.isArray(raw.frames)) {
    const frames = raw.frames.filter(isFrame).slice(-MAX_DEPTH);
    return {
      v: 2,
      frames,
      ...(typeof raw.misses === 'number' ? { misses: raw.misses } : {}),
      ...(typeof raw.lastMiss === 'string' ? { lastMiss: raw.lastMiss } : {}),
    };
  }
  // Before the stack: a rating question is worth keeping, nothing else is resumable.
  if (raw.kind === 'rate' && typeof raw.ticket === 'string') return ratingStack(raw.ticket, now);
  return emptyStack();
}
