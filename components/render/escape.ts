// How a value (a password above all) is written into each format the stack renders: one
// function per format, each returning text that the format's own reader turns back into
// exactly the value, or throwing when the format cannot carry it. No message repeats the
// value. The loader refuses control characters in secrets (model/rules/secrets.ts), so
// the throws here guard against a renderer being handed something the rules never admit.

function unrepresentable(format: string, what: string): Error {
    return new Error(`a value contains ${what}, which ${format} cannot carry`);
}

function codePoint(c: string): string {
    return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * A single-quoted SQL string literal for MySQL and MariaDB with backslash escapes on (the
 * default sql_mode; the stack never sets NO_BACKSLASH_ESCAPES): `\` and `'` are escaped, and
 * line breaks become \n and \r, so a statement stays on one line (mariadbd reads --init-file
 * line by line).
 */
export function sqlString(text: string): string {
    if (text.includes("\0")) throw unrepresentable("an SQL file", "a NUL character");
    const body = text.replace(/\\/g, "\\\\").replace(/'/g, "''").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
    return `'${body}'`;
}

const OPTION_FILE_ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b" };

/**
 * A value for a MySQL/MariaDB option file (`key = value`), as my_print_defaults and the
 * servers' and clients' option parser read it: in double quotes, where `#` and `'` are plain
 * characters and leading or trailing spaces are kept, with the parser's escapes \\ \" \n \t \r \b.
 */
export function optionFileValue(text: string): string {
    if (text.includes("\0")) throw unrepresentable("an option file", "a NUL character");
    return `"${text.replace(/[\\"\n\t\r\b]/g, (c) => OPTION_FILE_ESCAPES[c])}"`;
}

/**
 * One word of haproxy.cfg in strong (single) quotes, where nothing is interpreted: no `$`
 * expansion, no `#` comment, no backslash escape. A `'` closes the quote, adds an escaped
 * quote and opens a new one (`'\''`), and HAProxy joins the pieces into one word.
 */
export function haproxyWord(text: string): string {
    const control = /[\u0000-\u001f\u007f]/.exec(text);
    if (control) throw unrepresentable("a haproxy.cfg line", `a control character (${codePoint(control[0])})`);
    return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Characters XML 1.0 does not allow at all, even as character references. */
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkXml(text: string): void {
    const bad = XML_FORBIDDEN.exec(text);
    if (bad) throw unrepresentable("XML", `a character XML 1.0 forbids (${codePoint(bad[0])})`);
}

/** XML character data: & < > escaped; a CR as a reference, which parsers would otherwise turn into LF. */
export function xmlText(text: string): string {
    checkXml(text);
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
}

/**
 * An XML attribute value for double or single quotes: & < > " ' escaped, and tab, LF and CR
 * as references (attribute-value normalization would turn them into spaces).
 */
export function xmlAttr(text: string): string {
    return xmlText(text).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;");
}

/**
 * Why keepalived 2.2's config parser cannot carry a string inside double quotes, or
 * undefined when it can. Inside quotes every character is literal (no escapes), except that
 * the parser has no way to write `"` itself; a backslash before the closing quote makes the
 * quote part of an escape pair (an unterminated quote); and `${NAME}` or `$_NAME` is replaced
 * by a definition (keepalived predefines _PWD, _INSTANCE, _RANDOM, _HASH and _BANG) even there.
 */
export function keepalivedStringProblem(text: string): string | undefined {
    const control = /[\u0000-\u001f\u007f]/.exec(text);
    if (control) return `a control character (${codePoint(control[0])})`;
    if (text.includes('"')) return "a double quote (keepalived.conf has no way to write one)";
    if (text.endsWith("\\")) return "a backslash at its end (keepalived reads it as escaping the closing quote)";
    if (/\$[{_]/.test(text)) return "'${' or '$_' (keepalived replaces them with a definition)";
    return undefined;
}

/** A double-quoted keepalived.conf string (see keepalivedStringProblem for what it cannot carry). */
export function keepalivedString(text: string): string {
    const problem = keepalivedStringProblem(text);
    if (problem) throw new Error(`keepalived.conf cannot carry a value with ${problem}`);
    return `"${text}"`;
}

/** Single-quoting for a word of a POSIX shell script: `'` becomes `'\''`, everything else is literal. */
export function shellQuote(text: string): string {
    if (text.includes("\0")) throw unrepresentable("a shell script", "a NUL character");
    return `'${text.replace(/'/g, `'\\''`)}'`;
}
