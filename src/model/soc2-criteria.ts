/**
 * Short names of the Trust Services Criteria the built-in rules map to (AICPA, 2017 Trust Services
 * Criteria, revised points of focus 2022), for headings; a template's own criteria without an
 * entry here are shown by their id alone.
 */
const SOC2_CRITERIA: Readonly<Record<string, string>> = {
  'CC6.1': 'logical access security',
  'CC6.2': 'registering and authorizing users',
  'CC6.3': 'role-based access, changed and removed',
  'CC6.6': 'access from outside the system boundary',
  'CC6.8': 'unauthorized or malicious software',
  'CC7.1': 'detecting configuration changes and vulnerabilities',
  'CC7.2': 'monitoring for anomalies',
  'CC7.3': 'evaluating security events',
  'CC7.4': 'responding to security incidents',
  'CC8.1': 'change management',
};

export function criterionLabel(control: string): string {
  const name = SOC2_CRITERIA[control];
  return name ? `${control} ${name}` : control;
}
