/** How long one webhook POST may take; a slow chat service must not hold up shutdown for long. */
const timeoutMs = 10_000;

/**
 * POSTs a Slack-compatible `{ "text": … }`. Throws with the HTTP status or the network error; the
 * message never contains the URL, since a webhook URL is itself a credential.
 */
export async function postWebhook(url: string, text: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = error instanceof Error ? error.name : 'error';
    throw new Error(`webhook unreachable (${cause})`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
}
