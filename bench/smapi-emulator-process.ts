import { startSmapiEmulator } from '../src/emulators/smapi/index.js';

/**
 * The SMAPI emulator in its own process for the pull benchmark: in the same process its page
 * building would compete with the client for the one event loop, and the bench would measure that.
 * Prints one JSON line with its URL and credentials, then serves until stdin closes.
 */
const [events, latency, start, end] = process.argv.slice(2).map(Number);
const emulator = await startSmapiEmulator({ seed: 'bench', eventCount: events, latencyMs: latency, period: { start, end } });
process.stdout.write(JSON.stringify({ url: emulator.url, tokenUrl: emulator.tokenUrl, vendorId: emulator.vendorId, credentials: emulator.credentials, truth: emulator.truth.count({ start, end }).events }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => void emulator.close().then(() => process.exit(0)));
