import type { ReportModel } from '../model/report-model.js';

/**
 * A renderer takes the report model and writes one file of the pack. Renderers never see raw
 * records. The registry (registry.ts) names them, as vitest names its reporters.
 */
export interface Renderer {
  name: string;
  /** File name inside the pack. */
  file: string;
  render(model: ReportModel, path: string, opts?: { signal?: AbortSignal }): Promise<unknown>;
  /**
   * Its work runs in another thread, so the pack starts it before the others and waits for it
   * last; its output must not depend on theirs.
   */
  concurrent?: boolean;
  /** A digest of the file's content that ignores container noise (zip entry times), for the manifest. */
  contentDigest?(path: string): Promise<string>;
}
