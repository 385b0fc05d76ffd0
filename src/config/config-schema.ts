import { z } from 'zod';

/** The top level of a config file; each `sources[]` entry is checked by its own type's schema. */
export const configSchema = z
  .object({
    $schema: z.string().optional(),
    organization: z.string().min(1).default('Unnamed organization'),
    timezone: z.string().min(1).optional(),
    requesterDirectory: z.string().min(1).optional(),
    template: z.string().min(1).optional(),
    /** Longest period a run may cover, in days (default 366: a year, leap or not). */
    maxPeriodDays: z.number().int().min(1).max(36_600).optional(),
    businessHours: z.unknown().optional(),
    signOff: z
      .object({
        preparedBy: z.string().optional(),
        reviewedBy: z.string().optional(),
        conclusion: z.string().optional(),
      })
      .strict()
      .optional(),
    sources: z.array(z.looseObject({ type: z.string(), name: z.string().min(1).optional() })).min(1, 'list at least one source'),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;
