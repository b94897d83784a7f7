/** The query of every KPI read over HTTP (REST /api/v1/kpis and the dashboard's data). */
import { z } from 'zod';

export const kpiQuerySchema = z.object({
  since: z.string().min(1).max(40).default('30d'),
  group: z.string().min(1).max(100).optional(),
  window: z.coerce.number().int().min(0).max(90).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
