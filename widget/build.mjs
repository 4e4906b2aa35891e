// Builds dist/bank-chat.js (an IIFE defining window.BankChat, socket.io-client bundled)
// and dist/bank-chat.css. `node build.mjs` builds once; `node build.mjs --watch` rebuilds
// on change. The demo page (demo/) is served as it is and loads these two files.

import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const watch = process.argv.includes("--watch");

const common = {
  bundle: true,
  minify: true,
  target: ["es2020"],
  legalComments: "eof",
  logLevel: "info",
};

const builds = [
  {
    ...common,
    entryPoints: [join(here, "src/index.js")],
    outfile: join(dist, "bank-chat.js"),
    format: "iife",
    globalName: "BankChat",
    platform: "browser",
  },
  { ...common, entryPoints: [join(here, "src/bank-chat.css")], outfile: join(dist, "bank-chat.css") },
];

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
