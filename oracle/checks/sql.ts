/**
 * The one audited place that turns names and strings into SQL text. Identifiers are double-quoted
 * with inner double quotes doubled; string literals single-quoted with inner single quotes
 * doubled; a NUL character is refused in both (DuckDB would end the token there). Party values
 * never go through sqlString: they are bound as prepared-statement parameters; sqlString is for
 * the oracle's own paths only.
 */

export function sqlIdent(name: string): string {
  if (name.includes("\u0000")) throw new TypeError("an identifier must not contain NUL");
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqlString(s: string): string {
  if (s.includes("\u0000")) throw new TypeError("a string literal must not contain NUL");
  return `'${s.replaceAll("'", "''")}'`;
}
