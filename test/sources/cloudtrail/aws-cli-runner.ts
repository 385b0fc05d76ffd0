import { execFile, spawnSync } from 'node:child_process';

/** The AWS CLI on PATH, or '' (its tests are skipped then: Debian's package is awscli). */
export const awsOnPath = spawnSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).stdout.trim();

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `aws` with nothing of this machine's AWS setup (no config or credentials file, no instance
 * metadata, no pager): only `env` decides what it talks to and as whom.
 */
export function runAws(args: string[], env: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<AwsCliResult> {
  return new Promise((resolve) => {
    execFile(
      awsOnPath,
      args,
      {
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          AWS_CONFIG_FILE: '/nonexistent/aws-config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_PAGER: '',
          ...env,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
