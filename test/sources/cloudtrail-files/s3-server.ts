import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** s3rver's fixed credentials (its default account). */
export const S3RVER_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

export interface S3Server {
  url: string;
  client: S3Client;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs s3rver (npm devDependency) in a child process on 127.0.0.1, port 0. s3rver encrypts its
 * ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers through its legacy
 * provider: the child gets `--openssl-legacy-provider`, so the flag never touches the test
 * process (or the tool). It also gets s3rver-sorted-readdir.cjs, which makes its listings come
 * out in key order whatever the file system (see there). A child keeps s3rver's Koa stack and
 * logger out of our process too.
 */
export async function startS3rver(dataDir: string): Promise<S3Server> {
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const sortedReaddir = fileURLToPath(new URL('./s3rver-sorted-readdir.cjs', import.meta.url));
  const args = ['--openssl-legacy-provider', '--require', sortedReaddir, bin, '-d', dataDir, '-a', '127.0.0.1', '-p', '0', '--silent'];
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If the test process ends without close() (a crash), the server must not outlive it.
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      killChild();
      reject(new Error(`s3rver did not start: ${err || out}`));
    }, 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^:\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}: ${err || out}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: url,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: S3RVER_ENV.AWS_SECRET_ACCESS_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    url,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killChild);
        client.destroy();
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
