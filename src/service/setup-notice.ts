// What the registration pages say about webhooks: where the app being registered will send
// them, or why they will not reach this server and what to set. Probot's pages say nothing
// when no proxy channel could be created, and the app then registers `<address>/`.
import type { WebhookProxyState } from "./webhook-proxy.js";

/** The notice, as HTML, for a page opened at `address` (`http://host:port`). */
export function webhookProxyNotice(proxy: WebhookProxyState, address: string): string {
  const body =
    proxy.kind === "channel" ? channelText(proxy.url, proxy.created) : noneText(proxy.why, address);
  return `<div id="webhook-proxy" class="text-left mt-4"><h3 class="mb-2">Webhooks</h3>${body}</div>`;
}

function channelText(url: string, created: boolean): string {
  const origin = created
    ? "created for this registration and saved to <code>.env</code> as <code>WEBHOOK_PROXY_URL</code>"
    : "from <code>WEBHOOK_PROXY_URL</code>";
  return (
    `<p>The app you register sends its webhooks to the proxy channel <code>${escape(url)}</code> ` +
    `(${origin}). This server forwards them to itself once it restarts with the app's ` +
    "credentials.</p>"
  );
}

function noneText(why: string, address: string): string {
  return (
    `<p><strong>No webhook proxy:</strong> ${escape(why)}. The app you register gets the ` +
    `webhook URL <code>${escape(address)}/</code>, which GitHub cannot reach unless it is ` +
    "public.</p><p>To receive webhooks here, set <code>WEBHOOK_PROXY_URL</code> to a channel " +
    'from <a href="https://smee.io/new">https://smee.io/new</a> and restart, or open this ' +
    "page at the server's public address (<code>PROJECT_DOMAIN</code> set to it skips the " +
    "proxy). After registering, the app's webhook URL can be changed to " +
    "<code>https://&lt;public host&gt;/api/github/webhooks</code> in its settings.</p>"
  );
}

/** `page` with `notice` after its first form (the registration button), else at its end. */
export function withNotice(page: string, notice: string): string {
  const form = page.indexOf("</form>");
  if (form >= 0) return `${page.slice(0, form + 7)}${notice}${page.slice(form + 7)}`;
  const end = page.lastIndexOf("</body>");
  return end >= 0 ? `${page.slice(0, end)}${notice}${page.slice(end)}` : page + notice;
}

function escape(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
