import { describe, expect, it } from 'vitest';
import { fmtParameter } from '../../../src/render/pdf/format.js';

describe('fmtParameter', () => {
  it('puts each record of a list on its own line as key: value pairs', () => {
    const sources = [
      { name: 'smapi', type: 'smapi', description: 'Alexa SMAPI audit logs' },
      { name: 'trail', type: 'cloudtrail-files', description: 'CloudTrail log files' },
    ];
    expect(fmtParameter(sources)).toBe(
      'name: smapi · type: smapi · description: Alexa SMAPI audit logs\nname: trail · type: cloudtrail-files · description: CloudTrail log files',
    );
  });

  it('leaves strings, numbers and lists of plain values as before', () => {
    expect(fmtParameter('2026-11')).toBe('2026-11');
    expect(fmtParameter(5)).toBe('5');
    expect(fmtParameter(['us-east-1', 'eu-west-1'])).toBe('["us-east-1","eu-west-1"]');
  });
});
