/**
 * XML checks for the report tests, with a real XML parser (fast-xml-parser) instead of a browser:
 * the data files need no Chromium.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Characters XML 1.0 forbids anywhere in a document (the validator does not look for them). */
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/u;

/** Why the text is not well-formed XML 1.0, or null when it is. */
export function xmlParseError(xml: string): string | null {
  const bad = FORBIDDEN_CHARS.exec(xml);
  if (bad) return `character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')} at offset ${bad.index} is not allowed in XML 1.0`;
  const result = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  return result === true ? null : `${result.err.code} at line ${result.err.line}, column ${result.err.col}: ${result.err.msg}`;
}

/** An element as the parser gives it: attributes by name, `#text`, and child elements as arrays. */
export interface XmlElement {
  [key: string]: string | XmlElement[] | undefined;
}

/** Parses well-formed XML into elements whose children are always arrays (attributes unprefixed). */
export function parseXml(xml: string): XmlElement {
  const error = xmlParseError(xml);
  if (error) throw new Error(`not well-formed XML: ${error}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    ignoreDeclaration: true,
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
  });
  return parser.parse(xml) as XmlElement;
}

/** The child elements called `name` (empty when there are none). */
export function children(el: XmlElement, name: string): XmlElement[] {
  const v = el[name];
  return Array.isArray(v) ? v : [];
}

/** The one child element called `name`; throws when there is not exactly one. */
export function child(el: XmlElement, name: string): XmlElement {
  const found = children(el, name);
  if (found.length !== 1) throw new Error(`expected one <${name}>, found ${found.length}`);
  return found[0]!;
}

/** An attribute's value (undefined when absent). */
export function attr(el: XmlElement, name: string): string | undefined {
  const v = el[name];
  return typeof v === 'string' ? v : undefined;
}

/** The element's text content (its `#text`), '' when it has none. */
export function text(el: XmlElement): string {
  const v = el['#text'];
  return typeof v === 'string' ? v : Array.isArray(v) ? v.map(String).join('') : '';
}
