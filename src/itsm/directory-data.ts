/**
 * Authored directory inputs: groups (data/groups.json) and the demo seed (data/seed/*.json).
 * Validated with zod; a bad file names the file and the field.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { loadDataFile } from './data-file.js';

const email = z.email().transform((e) => e.toLowerCase());
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');

/**
 * A channel where the desk posts cards whose threads people work in: a Slack channel id and/or a
 * Teams channel. Groups' triage channels and the CAB's vote channel (itil.json) share this shape.
 */
export const chatChannelSchema = z.object({
  slack: z.object({ channelId: z.string().min(1) }).optional(),
  teams: z
    .object({
      teamId: z.string().min(1),
      channelId: z.string().min(1),
      serviceUrl: z.url().optional(),
    })
    .optional(),
});
export type ChatChannel = z.output<typeof chatChannelSchema>;

const groupsFileSchema = z.object({
  groups: z
    .array(
      z.object({
        slug,
        name: z.string().min(1),
        description: z.string().default(''),
        manager: email.nullable().optional(),
        members: z.array(email).default([]),
        escalation: slug.nullable().optional(),
        calendar: z.string().min(1).default('business'),
        strategy: z.enum(['least_load', 'round_robin', 'skills']).default('least_load'),
        // `notify`: how an agent hears of a ticket dispatch gave them (chat/assignee-notice.ts).
        triage: chatChannelSchema.extend({ notify: z.enum(['dm', 'triage', 'none']).optional() }).default({}),
      }),
    )
    .min(1, 'at least one group is needed'),
});
export type GroupsFile = z.output<typeof groupsFileSchema>;

const peopleFileSchema = z.object({
  people: z.array(
    z.object({
      email,
      name: z.string().min(1),
      role: z.enum(['employee', 'agent', 'manager', 'admin']).default('employee'),
      manager: email.optional(),
      timeZone: z.string().default('UTC'),
      skills: z.array(z.string()).default([]),
      capacity: z.number().int().positive().optional(),
    }),
  ),
});
export type PeopleFile = z.output<typeof peopleFileSchema>;

const assetsFileSchema = z.object({
  assets: z.array(
    z.object({
      tag: z.string().min(1),
      type: z.string().min(1),
      name: z.string().min(1),
      owner: email.nullable().optional(),
      status: z.enum(['in_stock', 'in_use', 'in_repair', 'retired']).default('in_use'),
      location: z.string().nullable().optional(),
      warrantyEnd: z.iso.date().nullable().optional(),
    }),
  ),
});
export type AssetsFile = z.output<typeof assetsFileSchema>;

export async function loadGroups(dataDir: string): Promise<GroupsFile> {
  const file = join(dataDir, 'groups.json');
  const groups = await loadDataFile(groupsFileSchema, file);
  const slugs = new Set<string>();
  for (const [i, g] of groups.groups.entries()) {
    if (slugs.has(g.slug))
      throw new AppError('data_invalid', `${file}: groups.${i}.slug: "${g.slug}" appears twice`, {
        field: `groups.${i}.slug`,
      });
    slugs.add(g.slug);
  }
  for (const [i, g] of groups.groups.entries()) {
    if (g.escalation && !slugs.has(g.escalation)) {
      throw new AppError('data_invalid', `${file}: groups.${i}.escalation: no group "${g.escalation}"`, {
        field: `groups.${i}.escalation`,
      });
    }
  }
  return groups;
}

export const loadPeople = (dataDir: string) =>
  loadDataFile(peopleFileSchema, join(dataDir, 'seed', 'people.json'));
export const loadAssets = (dataDir: string) =>
  loadDataFile(assetsFileSchema, join(dataDir, 'seed', 'assets.json'));
