/**
 * The directory mapping (data/directory.json): which directory groups give which chatdesk role and
 * support groups. Optional: without it directory groups are recorded but change nothing.
 */
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { loadDataFile } from '../data-file.js';
import { ROLES, type Role } from '../types.js';

/** When several directory groups give a role, the strongest wins. */
export const RANK: Record<Role, number> = { employee: 0, agent: 1, manager: 2, admin: 3 };

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a support group slug from groups.json');

const directoryMappingSchema = z.object({
  groups: z
    .array(
      z.object({
        /** The directory group's displayName (compared case-insensitively). */
        directoryGroup: z.string().trim().min(1),
        role: z.enum(ROLES).optional(),
        supportGroups: z.array(slug).default([]),
      }),
    )
    .default([]),
});
export type DirectoryMapping = z.output<typeof directoryMappingSchema>;

/** data/directory.json is optional: without it directory groups are recorded but change nothing. */
export async function loadDirectoryMapping(
  file: string,
  knownGroups: ReadonlySet<string>,
): Promise<DirectoryMapping> {
  let mapping: DirectoryMapping;
  try {
    mapping = await loadDataFile(directoryMappingSchema, file);
  } catch (e) {
    if (e instanceof AppError && /cannot be read \(ENOENT\)/.test(e.message)) return { groups: [] };
    throw e;
  }
  for (const [i, g] of mapping.groups.entries())
    for (const [j, s] of g.supportGroups.entries())
      if (!knownGroups.has(s))
        throw new AppError(
          'data_invalid',
          `${file}: groups.${i}.supportGroups.${j}: no group "${s}" in groups.json`,
          {
            field: `groups.${i}.supportGroups.${j}`,
          },
        );
  return mapping;
}
