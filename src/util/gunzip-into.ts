import { constants, createGunzip, gunzipSync, type Gunzip } from 'node:zlib';

/**
 * The native inflater under a zlib stream: what Node's own synchronous zlib calls drive
 * (`processChunkSync` in lib/zlib.js: https://github.com/nodejs/node/blob/v20.x/lib/zlib.js).
 * Not public; used only where it has this shape (see `nativeOf`), with gunzipSync otherwise.
 */
interface NativeInflater {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
}

interface Native {
  /** `reset()` is documented for every inflater (https://nodejs.org/api/zlib.html#zlibreset); @types/node declares it on some only. */
  engine: Gunzip & { reset(): void };
  handle: NativeInflater;
  /** [output bytes left, input bytes left] after each writeSync. */
  state: Uint32Array;
}

/** Raised when the content passes the cap: what gunzipSync's maxOutputLength raises. */
export class GunzipTooLargeError extends RangeError {
  readonly code = 'ERR_BUFFER_TOO_LARGE';
}

export interface GunzipInto {
  /**
   * The gunzipped bytes of `input` (every gzip member), at most `maxBytes` (else
   * GunzipTooLargeError); invalid gzip throws zlib's error. The result is a view of a buffer this
   * gunzipper reuses: valid until its next call.
   */
  gunzip(input: Uint8Array, maxBytes: number, sizeHint: number): Buffer;
}

function nativeOf(): Native | null {
  const engine = createGunzip();
  // Its errors are thrown from `gunzip` below; the stream's own 'error' event, emitted later, must not go unheard.
  engine.on('error', () => undefined);
  const inner = engine as unknown as { _handle?: { writeSync?: unknown }; _writeState?: unknown };
  const handle = inner._handle;
  const state = inner._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) {
    engine.close();
    return null;
  }
  return { engine: engine as Native['engine'], handle: handle as NativeInflater, state };
}

/** Whether this Node's inflater is the one `createGunzipInto` drives (else it calls gunzipSync). */
export function nativeGunzipAvailable(): boolean {
  const native = nativeOf();
  native?.engine.close();
  return native !== null;
}

/**
 * A gunzipper that inflates file after file into one buffer it keeps (grown to the largest file).
 * gunzipSync returns a new buffer the size of each file's content; a parse worker holds it while
 * it parses the file, long enough for it to be promoted, so the dead contents piled up in old
 * space until V8's external-memory limit (64 MiB a thread) forced a full collection: tens of MiB
 * of RSS per worker, more as a run grew long enough to reach the limit. Where this Node's
 * inflater is not the one expected, each call is gunzipSync, as before.
 */
export function createGunzipInto(): GunzipInto {
  let out = Buffer.allocUnsafeSlow(1 << 20);
  let native: Native | null | undefined;
  return {
    gunzip(input, maxBytes, sizeHint) {
      if (native === undefined) native = nativeOf();
      if (native === null) return gunzipSync(input, { chunkSize: Math.max(64, Math.min(sizeHint, maxBytes + 1)), maxOutputLength: maxBytes });
      if (out.length < Math.min(sizeHint, maxBytes + 1)) out = Buffer.allocUnsafeSlow(Math.min(sizeHint, maxBytes + 1));
      const { engine, handle, state } = native;
      let inOff = 0;
      let outOff = 0;
      try {
        for (;;) {
          const room = out.length - outOff;
          const inLen = input.length - inOff;
          handle.writeSync(constants.Z_FINISH, input, inOff, inLen, out, outOff, room);
          // The inflater reports an error through the stream, which it destroys at once.
          if (engine.destroyed) throw engine.errored ?? new Error('gunzip failed');
          outOff += room - state[0];
          inOff += inLen - state[1];
          if (outOff > maxBytes) throw new GunzipTooLargeError(`content larger than ${maxBytes} bytes`);
          if (state[0] !== 0) break;
          const next = Buffer.allocUnsafeSlow(Math.min(out.length * 2, maxBytes + 1));
          out.copy(next, 0, 0, outOff);
          out = next;
        }
      } catch (e) {
        native = undefined;
        if (!engine.destroyed) engine.close();
        throw e;
      }
      engine.reset();
      return out.subarray(0, outOff);
    },
  };
}
