/** Replaces the password in a storage URL (user:PASSWORD@ or ?password=) with `***`, for messages and logs. */
export function redactUrl(url: string): string {
  let out = url;
  const start = out.indexOf('://');
  if (start >= 0) {
    // The password runs from the first ':' after the user to the last '@' (a raw '@' in it must not leak the rest).
    const at = out.lastIndexOf('@');
    const colon = out.indexOf(':', start + 3);
    const slash = out.indexOf('/', start + 3);
    if (at > start && colon > start && colon < at && (slash < 0 || colon < slash)) out = `${out.slice(0, colon + 1)}***${out.slice(at)}`;
  }
  return out.replace(/([?&](?:password|pass|pwd)=)[^&#]*/gi, '$1***');
}

/** Removes every occurrence of a secret from a text (for driver messages that might echo it). */
export function scrubSecret(text: string, secret: string | undefined | null): string {
  if (!secret) return text;
  return text.split(secret).join('***');
}
