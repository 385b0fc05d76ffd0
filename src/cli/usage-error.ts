import { closest } from '../util/suggest.js';

/**
 * The one line a usage error gets (yargs would print the whole help): what is wrong, a "did you
 * mean" when a command or option looks mistyped, and where the help is.
 */
export function usageErrorLine(msg: string, tokens: readonly string[], commands: readonly string[], optionNames: readonly string[]): string {
  const first = tokens.find((t) => !t.startsWith('-'));
  const command = first !== undefined && commands.includes(first) ? first : null;
  if (first !== undefined && command === null && (tokens.indexOf(first) === 0 || msg.includes(first))) {
    const near = closest(first, commands);
    return `auditpack: unknown command "${first}" — ${near ? `did you mean \`auditpack ${near}\`? ` : ''}commands: ${commands.join(', ')} (auditpack --help)`;
  }
  const help = `see auditpack ${command ? `${command} ` : ''}--help`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(msg);
  if (unknown) {
    const names = unknown[1].split(', ');
    const hints = names
      .map((n) => {
        const near = closest(n, optionNames.filter((o) => o.length > 1));
        return near ? `--${n}: did you mean --${near}?` : null;
      })
      .filter((h): h is string => h !== null);
    return `auditpack: unknown option${names.length > 1 ? 's' : ''} ${names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ')} — ${hints.length ? `${hints.join(' ')} ` : ''}${help}`;
  }
  return `auditpack: ${msg} — ${help}`;
}
