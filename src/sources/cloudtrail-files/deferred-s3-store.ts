import { formatS3Location } from './location.js';
import type { LogStore } from './log-store.js';
import type { S3StoreOptions } from './s3-store.js';

/**
 * The S3 store, its client (and the AWS SDK, a third of a second to load) made at its first use:
 * a source is created for `plan`, for a refused run and for a local folder too, none of which reads S3.
 */
export function createDeferredS3Store(opts: S3StoreOptions): LogStore {
  let made: Promise<LogStore> | null = null;
  const store = () => (made ??= import('./s3-store.js').then((m) => m.createS3Store(opts)));
  return {
    describe: formatS3Location(opts.bucket, opts.prefix),
    kind: 's3',
    async *listFolder(prefix, rec, signal) {
      yield* (await store()).listFolder(prefix, rec, signal);
    },
    async open(key, rec, signal) {
      return (await store()).open(key, rec, signal);
    },
    async metadata(key, rec, signal) {
      return (await store()).metadata(key, rec, signal);
    },
    async close() {
      if (made) await (await made).close();
    },
  };
}
