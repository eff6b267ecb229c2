/**
 * The EC2 Query protocol's wire format, as the AWS SDK v3 reads it: form-encoded requests with
 * `Name.N` lists, XML answers whose lists are `<xxxSet><item>…</item></xxxSet>`, and errors as
 * `<Response><Errors><Error><Code>`. Element names come from the SDK's own schemas
 * (`ec2QueryName`/`xmlName` in @aws-sdk/client-ec2's schemas_0.js).
 */

/** An XML value: text, a nested element map, or a list rendered as `<item>` children. */
export type XmlValue = string | number | boolean | undefined | XmlNode | XmlValue[];
export interface XmlNode {
  [element: string]: XmlValue;
}

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function render(value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => `<item>${render(item)}</item>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([name, v]) => `<${name}>${render(v)}</${name}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export function xmlAnswer(action: string, body: XmlNode, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` +
    `<requestId>${requestId}</requestId>${render(body)}</${action}Response>`
  );
}

export function xmlError(code: string, message: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>' +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
    `</Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}

/** `Prefix.1`, `Prefix.2`, … as a list, in order. */
export function listParam(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) values.push(params.get(`${prefix}.${i}`) ?? '');
  return values;
}

/** `Prefix.N.Key`/`Prefix.N.Value` pairs (tags) as a map. */
export function tagParams(params: URLSearchParams, prefix: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (let i = 1; params.has(`${prefix}.${i}.Key`); i++)
    tags.set(params.get(`${prefix}.${i}.Key`) ?? '', params.get(`${prefix}.${i}.Value`) ?? '');
  return tags;
}

/** `Filter.N.Name` with `Filter.N.Value.M`. */
export function filterParams(params: URLSearchParams): { name: string; values: string[] }[] {
  const filters: { name: string; values: string[] }[] = [];
  for (let i = 1; params.has(`Filter.${i}.Name`); i++)
    filters.push({
      name: params.get(`Filter.${i}.Name`) ?? '',
      values: listParam(params, `Filter.${i}.Value`),
    });
  return filters;
}
