/**
 * Text hygiene shared by the writers: failure texts come from terminals (ANSI colours, bells) and
 * must become valid XML, HTML and Markdown.
 */

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
// Characters XML 1.0 forbids (C0 controls but tab/newline/return, lone surrogates, U+FFFE/FFFF).
const NOT_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** ANSI escapes and characters no markup format can carry are removed. */
export function cleanText(text: string): string {
  return text.replace(ANSI, '').replace(NOT_XML, '');
}

export function firstLine(text: string): string {
  return (
    cleanText(text)
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  );
}

/** Escapes for element content and attribute values alike (XML and HTML). */
export function escapeXml(text: string): string {
  return cleanText(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Attribute values also keep their line breaks and tabs, which parsers would otherwise fold. */
export function escapeAttr(text: string): string {
  return escapeXml(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
