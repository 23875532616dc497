// Builds ../static/editor.js, the code editor bundle that the server embeds,
// from editor.js and the packages in package-lock.json. Run `npm ci && npm
// run build` here, or `make web` from the repository's root, and commit the
// result: `go build` never needs npm.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const outfile = here("../static/editor.js");

const result = await build({
  entryPoints: [here("editor.js")],
  outfile,
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  charset: "utf8",
  legalComments: "none",
  metafile: true,
  logLevel: "info",
});

// The bundled packages are MIT-licensed, which asks that their copyright and
// permission notices travel with the code: append them, one permission text
// for every package that shares it.
const packages = new Set();
for (const input of Object.keys(Object.values(result.metafile.outputs)[0].inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.add(m[1]);
}
const groups = new Map(); // permission text -> ["name@version: Copyright ..."]
for (const name of [...packages].sort()) {
  const dir = here(`node_modules/${name}/`);
  const { version, license } = JSON.parse(readFileSync(dir + "package.json", "utf8"));
  let text;
  try {
    text = readFileSync(dir + "LICENSE", "utf8");
  } catch {
    throw new Error(`${name} has no LICENSE file; add its notice by hand`);
  }
  const lines = text.split("\n").map((l) => l.trim());
  const copyright = lines.filter((l) => /^copyright/i.test(l)).join("; ");
  const body = lines.filter((l) => l && !/^copyright/i.test(l) && !/^MIT License$/i.test(l)).join(" ").replace(/\s+/g, " ");
  if (!groups.has(body)) groups.set(body, []);
  groups.get(body).push(`${name}@${version} (${license}): ${copyright}`);
}
let notice = "\n/*! onsite's code editor, built from web/editor by `make web`: do not edit.\n";
for (const [body, who] of groups) {
  notice += "\n" + who.map((w) => ` * ${w}\n`).join("") + " *\n" + wrap(body, 76).map((l) => ` * ${l}\n`).join("");
}
notice += " */\n";
writeFileSync(outfile, readFileSync(outfile, "utf8") + notice);

function wrap(text, width) {
  const out = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out;
}
