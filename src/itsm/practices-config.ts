/**
 * `data/itil.json`: the knobs of the ITIL engine (SLA sweep, approvals, problem clustering, change
 * advisory boards and blackout windows). Every field has a default, so the file is optional.
 */
import { access } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { loadDataFile, parseDataWith } from './data-file.js';
import { chatChannelSchema } from './directory-data.js';

const email = z.email().transform((e) => e.toLowerCase());
const policy = z.enum(['any', 'all', 'majority']);
/** Where a board votes: one card per change in this channel, the vote and discussion in its thread. */
const boardChannel = chatChannelSchema
  .strict()
  .refine((c) => c.slack !== undefined || c.teams !== undefined, {
    message: 'name a slack channel ({"slack":{"channelId":"C…"}}) or a teams channel, or leave channel out',
  });
const board = (defaultPolicy: z.output<typeof policy>) =>
  z
    .object({
      members: z.array(email).default([]),
      policy: policy.default(defaultPolicy),
      channel: boardChannel.optional(),
    })
    .strict()
    .default({ members: [], policy: defaultPolicy });
const instant = z.iso.datetime({
  offset: true,
  message: 'expected an ISO date-time like 2026-12-24T00:00:00Z',
});

const blackoutSchema = z
  .object({
    name: z.string().min(1),
    start: instant,
    end: instant,
    reason: z.string().default(''),
    /** Change types still allowed inside the window (emergency changes usually are). */
    allow: z.array(z.enum(['standard', 'normal', 'emergency'])).default(['emergency']),
  })
  .refine((b) => Date.parse(b.end) > Date.parse(b.start), {
    message: 'end must be after start',
    path: ['end'],
  });
export type Blackout = z.output<typeof blackoutSchema>;

const level = z.enum(['high', 'medium', 'low']);
/** One pre-approved standard change: only these may skip the CAB, and only up to `riskCeiling`. */
const standardTemplateSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes, like "os-patch"'),
    title: z.string().min(1),
    description: z.string().default(''),
    impact: level.default('low'),
    urgency: level.default('low'),
    /** Highest risk score (0–100) at which it stays pre-approved; above it the CAB votes. */
    riskCeiling: z.number().int().min(0).max(100).default(30),
  })
  .strict();

const itilConfigSchema = z
  .object({
    sla: z
      .object({ sweepSeconds: z.number().int().min(5).max(3600).default(60) })
      .strict()
      .default({ sweepSeconds: 60 }),
    approvals: z
      .object({
        /** Remind a pending approver after this many hours, then again every as many hours, at most `maxReminders` times. */
        remindAfterHours: z.number().positive().default(24),
        maxReminders: z.number().int().min(0).default(3),
      })
      .strict()
      .default({ remindAfterHours: 24, maxReminders: 3 }),
    problems: z
      .object({
        /** "Possible problem" when this many similar open incidents arrive within `windowMinutes`. */
        clusterMinIncidents: z.number().int().min(2).default(5),
        clusterWindowMinutes: z.number().int().positive().default(30),
        /** Word-overlap (Jaccard) two reports need to count as similar. */
        clusterSimilarity: z.number().gt(0).max(1).default(0.3),
        /** Share of a known error's keywords a new report must contain to get its workaround. */
        knownErrorMatch: z.number().gt(0).max(1).default(0.6),
        /** Sentence-embedding cosine a report needs with a known error's title to get its workaround. */
        knownErrorMeaning: z.number().gt(0).max(1).default(0.6),
        /** A burst this large becomes a problem at once (owned by the group's manager); null = offer only. */
        autoCreateAt: z.number().int().min(2).nullable().default(null),
        /** …and is raised to a major incident from this many reports; null = never automatically. */
        majorIncidentAt: z.number().int().min(2).nullable().default(null),
      })
      .strict()
      .default({
        clusterMinIncidents: 5,
        clusterWindowMinutes: 30,
        clusterSimilarity: 0.3,
        knownErrorMatch: 0.6,
        knownErrorMeaning: 0.6,
        autoCreateAt: null,
        majorIncidentAt: null,
      }),
    changes: z
      .object({
        cab: board('majority'),
        emergencyCab: board('any'),
        blackouts: z.array(blackoutSchema).default([]),
        standardCatalogue: z.array(standardTemplateSchema).default([]),
      })
      .strict()
      .default({
        cab: { members: [], policy: 'majority' },
        emergencyCab: { members: [], policy: 'any' },
        blackouts: [],
        standardCatalogue: [],
      }),
  })
  .strict();

export type ItilConfig = z.output<typeof itilConfigSchema>;
export type BoardConfig = ItilConfig['changes']['cab'];

const DEFAULT_ITIL_CONFIG: ItilConfig = itilConfigSchema.parse({});

export function parseItilConfig(json: unknown, source = 'itil.json'): ItilConfig {
  return parseDataWith(itilConfigSchema, json, source);
}

/** Reads `data/itil.json`; a missing file means the defaults, a bad one names file and field. */
export async function loadItilConfig(file: string): Promise<ItilConfig> {
  try {
    await access(file);
  } catch {
    return DEFAULT_ITIL_CONFIG;
  }
  const cfg = await loadDataFile(itilConfigSchema, file);
  for (const [i, b] of cfg.changes.blackouts.entries()) {
    if (cfg.changes.blackouts.findIndex((x) => x.name === b.name) !== i) {
      throw new AppError('data_invalid', `${file}: changes.blackouts.${i}.name: "${b.name}" appears twice`, {
        field: `changes.blackouts.${i}.name`,
      });
    }
  }
  return cfg;
}
