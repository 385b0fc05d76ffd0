import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/**
 * One full garbage collection, now. For the end of a stage that leaves large garbage behind in
 * old space (the pull's de-duplication set: some 50 MiB of typed arrays at a million events),
 * which V8 would otherwise keep mapped through the next stage: the run's peak memory is the sum.
 * `gc` is exposed to a new context by flag (Node's own tests do this); where that is not possible
 * this does nothing.
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
