/**
 * The one redactor for secrets inside text. A password in a URL (redis://user:secret@host) is a
 * secret wherever the URL appears: log lines, error messages, alerts, CLI output.
 */
export function redactUrlsIn(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]+@/gi, '$1[redacted]@');
}
