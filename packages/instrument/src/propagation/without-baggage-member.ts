/** Optional white space of the W3C baggage grammar (spaces and horizontal tabs) at either end. */
const OWS_AT_ENDS = /^[ \t]+|[ \t]+$/g;

/**
 * The key of one W3C baggage list-member (`key=value;property=x`): the text before the first
 * `=` or `;`, without the white space around it, percent-decoded (OpenTelemetry encodes keys it
 * sends). Undecodable text is compared as written.
 */
export function baggageMemberKey(member: string): string {
  const end = member.search(/[=;]/);
  const raw = (end < 0 ? member : member.slice(0, end)).replace(OWS_AT_ENDS, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * A W3C `baggage` header value without the list-members named `key`; every other member is kept
 * byte for byte, in order (members are separated by commas, which the grammar does not allow
 * inside a member: values are percent-encoded, properties follow semicolons). White space at
 * the two ends of the result is trimmed; a result with no member left is `''`. A header without
 * such a member is returned unchanged. Pure.
 */
export function withoutBaggageMember(header: string, key: string): string {
  const members = header.split(',');
  const kept = members.filter((member) => baggageMemberKey(member) !== key);
  if (kept.length === members.length) return header;
  const result = kept.join(',').replace(OWS_AT_ENDS, '');
  return /^[ \t,]*$/.test(result) ? '' : result;
}
