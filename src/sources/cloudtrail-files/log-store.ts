import type { Readable } from 'node:stream';
import type { AttemptRecorder } from '../../http/types.js';

/**
 * The place a trail's files are read from: an S3 bucket (with prefix) or a local folder. Keys are
 * relative to the location and always start with `AWSLogs/`, the same on both, so a digest's
 * `s3Object` (a full bucket key) maps to a store key by cutting everything before `AWSLogs/`.
 */
export interface LogStore {
  /** "s3://bucket/prefix" or the folder's absolute path. */
  describe: string;
  kind: 's3' | 'local';
  /**
   * One level of a folder: `prefix` ends with "/"; files directly in it and its sub-folders
   * (each ending with "/"), in key order, page by page (ListObjectsV2 with Delimiter "/").
   */
  listFolder(prefix: string, rec: AttemptRecorder, signal: AbortSignal): AsyncIterable<FolderPage>;
  /** The object's bytes as a stream (compressed, as stored). Throws StoreMissingError when absent. */
  open(key: string, rec: AttemptRecorder, signal: AbortSignal): Promise<OpenedObject>;
  /** User metadata of an object (S3 x-amz-meta-*; a local sidecar file), keys lower-cased. */
  metadata(key: string, rec: AttemptRecorder, signal: AbortSignal): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface FolderPage {
  files: { key: string; size?: number }[];
  folders: string[];
}

export interface OpenedObject {
  body: Readable;
  size?: number;
}

/** The object or file is not there (deleted, or never delivered). */
export class StoreMissingError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`${key} does not exist`);
    this.name = 'StoreMissingError';
    this.key = key;
  }
}
