// What `./mvnw` runs for the web UI (web-ui/pom.xml): `npm ci` when package-lock.json changed since
// the last install, then `npm run build` when any input changed since the last build, so a
// repeated Maven build does not reinstall or rebuild what is already there. A fresh clone (or
// `./mvnw clean`) always installs and builds. Uses the machine's Node and npm.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(
    `[web-ui] Node.js ${process.versions.node} is too old: Vite 7 needs 20.19 or newer (node --version); ` +
      "install a newer Node.js with npm on the PATH",
  );
  process.exit(1);
}

const root = new URL("..", import.meta.url).pathname;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function hashFiles(paths) {
  const hash = createHash("sha256");
  const walk = (p) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) walk(join(p, name));
    } else {
      hash.update(p.slice(root.length) + "\0");
      hash.update(readFileSync(p));
    }
  };
  for (const p of paths) walk(join(root, p));
  return hash.digest("hex");
}

function run(args) {
  console.log(`[web-ui] npm ${args.join(" ")}`);
  execFileSync(npm, args, { cwd: root, stdio: "inherit" });
}

const installStamp = join(root, "node_modules", ".evidentsource-installed");
const lock = hashFiles(["package-lock.json"]);
if (!existsSync(installStamp) || readFileSync(installStamp, "utf8") !== lock) {
  run(["ci", "--no-audit", "--no-fund"]);
  writeFileSync(installStamp, lock);
} else {
  console.log("[web-ui] dependencies up to date (package-lock.json unchanged)");
}

const output = join(root, "target", "classes", "evidentsource-ui");
const buildStamp = join(root, "target", ".evidentsource-built");
const inputs = hashFiles(["package-lock.json", "package.json", "index.html", "vite.config.ts", "tsconfig.json", "public", "src"]);
if (!existsSync(join(output, "index.html")) || !existsSync(buildStamp) || readFileSync(buildStamp, "utf8") !== inputs) {
  run(["run", "build"]);
  writeFileSync(buildStamp, inputs);
} else {
  console.log("[web-ui] build up to date (sources unchanged)");
}
