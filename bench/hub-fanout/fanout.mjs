// Fan-out benchmark for /hubs/health: N concurrent connections (official @microsoft/signalr client), each watching
// the stream, while the sandbox OpenBao is taken down and brought back through the sandbox control endpoint.
// Measures per-connection delivery latency of each change and the console's memory per connection. Not a test.
//
// Environment (see run.sh):
//   HUB_URL       console base URL, e.g. http://127.0.0.1:5391
//   HUB_TOKEN     a display token (okd_…) — created on Administration → Display tokens
//   CONTROL_URL   the sandbox manifest's control_url, e.g. http://127.0.0.1:8299/control/
//   CONSOLE_PID   the console's process id (for RSS); optional
//   CONNECTIONS   default 500;  ROUNDS  outage/recovery rounds, default 5;  KEYSTORE  name to watch (optional)
//
// Latency of one change on one connection = the time this process received it − the earliest serverTime (the
// moment the console's stream pump created the message) of the same change over all connections. Same machine,
// same clock. So it covers the whole fan-out: queueing of 500 pumps, serialization, WebSocket send and receipt.
import * as signalR from "@microsoft/signalr";
import { readFileSync } from "node:fs";

const base = process.env.HUB_URL ?? fail("HUB_URL is required");
const token = process.env.HUB_TOKEN ?? fail("HUB_TOKEN is required");
const control = process.env.CONTROL_URL ?? fail("CONTROL_URL is required");
const pid = process.env.CONSOLE_PID;
const n = Number(process.env.CONNECTIONS ?? 500);
const rounds = Number(process.env.ROUNDS ?? 5);
const watched = process.env.KEYSTORE;

function fail(message) { console.error(message); process.exit(2); }
const rssMiB = () => {
  if (!pid) return null;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : null;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;

// change key -> { serverTimes: [], receipts: [] }
const changes = new Map();
const status = new Array(n).fill(null);
let heartbeats = 0;

function onMessage(index, message) {
  const received = Date.now();
  if (message.type === "heartbeat") { heartbeats++; return; }
  const list = message.type === "snapshot" ? message.keystores : message.changes.map((c) => c.keystore).filter(Boolean);
  for (const k of list) {
    if (watched && k.name !== watched) continue;
    status[index] = k.status;
    if (message.type !== "changes") continue;
    const key = `${k.keystoreId}|${k.lastResultAt}|${k.status}|${k.successCount}|${k.failureCount}`;
    let entry = changes.get(key);
    if (!entry) changes.set(key, entry = { serverTimes: [], receipts: [] });
    entry.serverTimes.push(Date.parse(message.serverTime));
    entry.receipts.push(received);
  }
}

const rssBefore = rssMiB();
const started = Date.now();
const connections = [];
for (let batch = 0; batch < n; batch += 50) {
  await Promise.all(Array.from({ length: Math.min(50, n - batch) }, async (_, j) => {
    const index = batch + j;
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(new URL("hubs/health", base).toString(), { accessTokenFactory: () => token, transport: signalR.HttpTransportType.WebSockets })
      .configureLogging(signalR.LogLevel.Error)
      .build();
    await connection.start();
    await new Promise((resolve, reject) => {
      connection.stream("Watch").subscribe({
        next: (m) => { onMessage(index, m); if (m.type === "snapshot") resolve(); },
        error: reject,
        complete: () => {},
      });
    });
    connections.push(connection);
  }));
}
const connectSeconds = (Date.now() - started) / 1000;
await sleep(3000);
const rssConnected = rssMiB();
console.log(`${connections.length} connections with their snapshot in ${connectSeconds.toFixed(1)} s`);

async function setFaults(body) {
  const response = await fetch(new URL("openbao", control), { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) fail(`control endpoint answered ${response.status}`);
}
async function reset() {
  const response = await fetch(new URL("openbao/reset", control), { method: "POST" });
  if (!response.ok) fail(`control endpoint answered ${response.status}`);
}
async function waitAll(wanted, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (status.every((s) => s === wanted)) return true;
    await sleep(50);
  }
  return false;
}

changes.clear();
for (let round = 0; round < rounds; round++) {
  await setFaults({ down: true });
  if (!await waitAll("Critical", 30000)) console.log(`round ${round}: not every connection saw Critical within 30 s`);
  await reset();
  if (!await waitAll("Healthy", 30000)) console.log(`round ${round}: not every connection saw Healthy within 30 s`);
}
await sleep(2000);
const rssAfter = rssMiB();

const latencies = [];
let complete = 0;
for (const entry of changes.values()) {
  const first = Math.min(...entry.serverTimes);
  for (const r of entry.receipts) latencies.push(r - first);
  if (entry.receipts.length === n) complete++;
}
latencies.sort((a, b) => a - b);
console.log(`changes observed: ${changes.size} (${complete} reached all ${n} connections), deliveries: ${latencies.length}, heartbeats: ${heartbeats}`);
console.log(`delivery latency ms: p50 ${pct(latencies, 50)}  p95 ${pct(latencies, 95)}  p99 ${pct(latencies, 99)}  max ${latencies.at(-1)}`);
if (rssBefore !== null) {
  console.log(`console RSS MiB: before ${rssBefore.toFixed(1)}, ${n} connected ${rssConnected.toFixed(1)}, after ${rounds} rounds ${rssAfter.toFixed(1)}; ` +
    `per connection ≈ ${((rssConnected - rssBefore) * 1024 / n).toFixed(1)} KiB`);
}
await Promise.all(connections.map((c) => c.stop()));
