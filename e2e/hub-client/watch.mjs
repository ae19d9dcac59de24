// Watches /hubs/health with the official SignalR JavaScript client (@microsoft/signalr, pinned in package.json) and
// writes one JSON object per line to stdout, for the e2e tests (e2e/OpenKcm.E2E/Journeys/HealthHubTests.cs) to read:
//   {"event":"connected"}                       the connection started
//   {"event":"message","message":{...}}         one item of the Watch stream (snapshot, changes, heartbeat)
//   {"event":"complete"}                        the server ended the stream normally
//   {"event":"error","message":"..."}           the server ended the stream with an error (e.g. token revoked)
//   {"event":"closed","error":"..."|null}       the connection closed
//   {"event":"start-failed","status":401,...}   the connection could not start (HTTP status when there is one)
// Credentials come from the environment, never the command line (visible to other local users):
//   HUB_URL       e.g. http://127.0.0.1:5080/hubs/health (required)
//   HUB_TOKEN     a display token okd_…: sent as "Authorization: Bearer" (the Node client sends a header, not a query)
//   HUB_COOKIE    a Cookie header value (an operator's sign-in cookie), instead of a token
//   HUB_TRANSPORT WebSockets (default), ServerSentEvents or LongPolling
// Exits 0 after the stream ends or the connection closes; stdin closing (the test is done) stops it too.
import * as signalR from "@microsoft/signalr";

const url = process.env.HUB_URL;
if (!url) {
  console.error("HUB_URL is required");
  process.exit(2);
}

const emit = (event) => process.stdout.write(JSON.stringify(event) + "\n");
const options = { transport: signalR.HttpTransportType[process.env.HUB_TRANSPORT ?? "WebSockets"] };
if (process.env.HUB_TOKEN) {
  options.accessTokenFactory = () => process.env.HUB_TOKEN;
}
if (process.env.HUB_COOKIE) {
  options.headers = { Cookie: process.env.HUB_COOKIE };
}

const connection = new signalR.HubConnectionBuilder()
  .withUrl(url, options)
  .configureLogging(signalR.LogLevel.None)
  .build();

let finished = false;
const finish = async (code) => {
  if (finished) return;
  finished = true;
  try { await connection.stop(); } catch { /* already closed */ }
  process.exit(code);
};

connection.onclose((error) => {
  emit({ event: "closed", error: error ? String(error.message ?? error) : null });
  finish(0);
});
process.stdin.on("end", () => finish(0));
process.stdin.resume();

try {
  await connection.start();
} catch (error) {
  // Negotiation failures arrive wrapped ("Failed to complete negotiation ... Status code '401'") without statusCode.
  const text = String(error?.message ?? error);
  const status = error?.statusCode ?? Number(/Status code '(\d+)'/.exec(text)?.[1] ?? NaN);
  emit({ event: "start-failed", status: Number.isNaN(status) ? null : status, error: text });
  process.exit(0);
}

emit({ event: "connected" });
connection.stream("Watch").subscribe({
  next: (message) => emit({ event: "message", message }),
  complete: () => emit({ event: "complete" }),
  error: (error) => emit({ event: "error", message: String(error?.message ?? error) }),
});
