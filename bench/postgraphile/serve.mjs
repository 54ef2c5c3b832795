// PostGraphile 5 serving Village's PostgreSQL tables at /graphql, for
// make bench-peers (bench/peers.sh). Its packages come from package.json and
// package-lock.json beside this file, installed with npm ci into a cache
// folder (peers.sh copies this script there and runs it from it).
//
//   DATABASE_URL=postgres://… PORT=18081 node serve.mjs
//
// The amber preset, as PostGraphile's documentation starts a server:
// Village's tables in schema public become connections over their foreign
// keys (allOrganizations → servicesByOrganizationId →
// serviceAreasByServiceId), each record a serviceByRowId(rowId:) lookup.
// No GraphiQL, no watch mode, no explain: a production-like server. The pool
// holds up to 32 connections, as Village's (internal/store).
import { createServer } from "node:http";

// PostGraphile 5.1 asks for Node 22; of what Node 22 adds it uses
// Promise.withResolvers (grafast, @dataplan/pg), which Node 20 lacks: the
// standard's definition, so that it runs on Node 20 too. Installed before
// PostGraphile is loaded, hence the dynamic imports.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
const { postgraphile } = await import("postgraphile");
const { grafserv } = await import("postgraphile/grafserv/node");
const { PostGraphileAmberPreset } = await import("postgraphile/presets/amber");
const { makePgService } = await import("postgraphile/adaptors/pg");

const connectionString = process.env.DATABASE_URL;
if (!connectionString) {
  console.error("serve.mjs: DATABASE_URL is needed");
  process.exit(2);
}
const port = Number(process.env.PORT || 18081);
const host = process.env.HOST || "127.0.0.1";

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({ connectionString, schemas: ["public"], poolConfig: { max: 32 } }),
  ],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
server.listen(port, host, () => console.log(`postgraphile serving http://${host}:${port}/graphql`));
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, async () => {
    server.close();
    await pgl.release();
    process.exit(0);
  });
}
