import { z } from 'zod';
import type { SectionId } from '../model/report-model.js';

/** Every SectionId, in report order; the compile-time checks below keep it equal to the model type. */
export const SECTION_IDS = [
  'cover',
  'summary',
  'charts',
  'operations',
  'responseCodes',
  'requesters',
  'clients',
  'daily',
  'exceptions',
  'failureClusters',
  'events',
  'sample',
  'coverage',
  'signoff',
] as const satisfies readonly SectionId[];

type MissingSections = Exclude<SectionId, (typeof SECTION_IDS)[number]>;
// Fails to compile when report-model.ts gains a section this list does not have.
const everySectionListed: [MissingSections] extends [never] ? true : MissingSections = true;
void everySectionListed;

export const sectionIdSchema = z.enum(SECTION_IDS);
