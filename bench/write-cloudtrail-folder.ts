import { writeCloudTrailLogFolder } from '../src/emulators/cloudtrail-files/write-log-folder.js';

/** Writes the benchmark's log folder in its own process, so the run's peak RSS is the run's alone. */
const [dir, events, files] = process.argv.slice(2);
const start = Date.parse('2026-10-01T00:00:00Z');
const end = Date.parse('2026-11-01T00:00:00Z');
writeCloudTrailLogFolder({
  dir, accounts: ['123456789012'], regions: ['us-east-1'], period: { start, end }, seed: 'bench',
  eventsPerFile: Math.ceil(Number(events) / Number(files)), fileEveryMinutes: (end - start) / 60_000 / Number(files),
});
