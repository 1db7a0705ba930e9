// Drives ftrack's JavaScript API client (@ftrack/api) for pytest: one JSON command per stdin
// line, one JSON answer per stdout line prefixed with ANSWER (the client's own console output
// may share stdout). FTRACK_SERVER / FTRACK_API_USER / FTRACK_API_KEY name the server.
//
// Commands ({"id": n, "op": ..., ...}):
//   session {options}                 new Session (waits for its schemas and server info)
//   call {method, args}               await session[method](...args), e.g. query, search, create
//   expression {literals, values}     the client's `expression` tag (its quoting of values)
//   upload {path, name, chunkSize}    session.createComponent(File) through the XHR shim
//   thumbnail_url {componentId, size} session.thumbnailUrl(...)
//   hub_subscribe {name, subscription}  count and keep events in bucket `name`
//   hub_publish {topic, data}         eventHub.publish, answers the event id
//   hub_state {name}                  {connected, connects, received: [...]} of bucket `name`
//   hub_drop                          close the hub's websocket as a network drop would, and hold
//                                     the client's reconnect until hub_release
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Event, Session, expression } from "@ftrack/api";
import { installBrowserGlobals } from "./xhr_shim.mjs";

installBrowserGlobals();

const ANSWER = "@@ftrack-driver ";
const server = process.env.FTRACK_SERVER;
const apiUser = process.env.FTRACK_API_USER;
const apiKey = process.env.FTRACK_API_KEY;
let session = null;
const buckets = {};
let connects = 0;
let release = null;

function plain(value) {
  return JSON.parse(JSON.stringify(value ?? null));
}

const commands = {
  async session({ options = {} }) {
    session = new Session(server, apiUser, apiKey, options);
    if (options.autoConnectEventHub) {
      // before any await: the socket cannot have connected yet
      session.eventHub._socketIo.on("connect", () => connects++);
    }
    await session.initializing;
    return { serverVersion: session.serverVersion, schemas: session.schemas.length };
  },

  async call({ method, args = [] }) {
    return plain(await session[method](...args));
  },

  async expression({ literals, values }) {
    return expression(literals, ...values);
  },

  async upload({ path, name, chunkSize }) {
    window.FTRACK_UPLOAD_CHUNK_SIZE = chunkSize ?? undefined;
    const file = new File([readFileSync(path)], name);
    const [component, location, metadata] = await session.createComponent(file);
    return plain({ component, location, metadata });
  },

  async thumbnail_url({ componentId, size }) {
    return session.thumbnailUrl(componentId, size ? { size } : {});
  },

  async hub_subscribe({ name, subscription }) {
    buckets[name] ??= [];
    return session.eventHub.subscribe(subscription, (event) => {
      buckets[name].push(plain(event));
    });
  },

  async hub_publish({ topic, data }) {
    return session.eventHub.publish(new Event(topic, data ?? {}));
  },

  async hub_drop() {
    const io = session.eventHub._socketIo;
    const socket = io.webSocket;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    const attempt = io.attemptReconnect;
    io.attemptReconnect = async function () {
      await held;
      io.attemptReconnect = attempt;
      return attempt.call(io);
    };
    const closed = new Promise((resolve) => socket.addEventListener("close", resolve));
    socket.close();
    await closed; // the close handshake is done: the server has seen the client go
    return null;
  },

  async hub_release() {
    release();
    return null;
  },

  async hub_state({ name }) {
    return {
      connected: session.eventHub.isConnected(),
      connects,
      received: buckets[name] ?? [],
    };
  },
};

function answer(message) {
  process.stdout.write(ANSWER + JSON.stringify(message) + "\n");
}

const lines = createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line);
  try {
    const result = await commands[command.op](command);
    answer({ id: command.id, result: result ?? null });
  } catch (error) {
    answer({
      id: command.id,
      error: { name: error?.name, message: String(error?.message ?? error), code: error?.errorCode },
    });
  }
});
lines.on("close", () => {
  if (session?.eventHub?._socketIo) session.eventHub._socketIo.disconnect();
  process.exit(0);
});
