// Debian's firefox-esr, headless, driven over WebDriver BiDi by puppeteer-core (tests/js's
// node_modules: never a downloaded browser). One browser and one page per process; commands are
// JSON lines on stdin, one reply line each on stdout: {"id", "ok", "value"} or {"id", "ok":
// false, "error"}. Commands: goto {url}, evaluate {expression} (awaited), wait {expression,
// timeout} (until truthy), screenshot {path}, close.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(new URL("../../js/package.json", import.meta.url));
const puppeteer = require("puppeteer-core");

const TIMEOUT = 120_000; // a bound that turns a hang into a failure, not a speed assert

const browser = await puppeteer.launch({
  browser: "firefox",
  protocol: "webDriverBiDi",
  executablePath: process.env.FT_DCC_FIREFOX || "/usr/bin/firefox-esr",
  headless: true,
  // the window's size, not setViewport (its screen orientation override is a BiDi command
  // Firefox ESR 140 does not know)
  defaultViewport: null,
  args: ["--width=1400", "--height=900"],
  extraPrefsFirefox: { "media.autoplay.default": 0 },
});
const page = await browser.newPage();
page.setDefaultTimeout(TIMEOUT);

const commands = {
  goto: async (c) => (await page.goto(c.url, { waitUntil: "load" }))?.status() ?? null,
  evaluate: (c) => page.evaluate(c.expression),
  // polled by an evaluated promise, not waitForFunction (whose in-page eval the page's CSP
  // refuses)
  wait: (c) => page.evaluate(`(async () => {
    const deadline = Date.now() + ${Number(c.timeout) || TIMEOUT};
    for (;;) {
      const value = (${c.expression});
      if (value) return value;
      if (Date.now() > deadline) throw new Error("gave up waiting for " + ${JSON.stringify(c.expression)});
      await new Promise((done) => setTimeout(done, 50));
    }
  })()`),
  screenshot: async (c) => { await page.screenshot({ path: c.path }); return c.path; },
  close: async () => { await browser.close(); return null; },
};

function reply(message) { process.stdout.write(JSON.stringify(message) + "\n"); }

reply({ id: 0, ok: true, value: await browser.version() });
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line);
  try {
    reply({ id: command.id, ok: true, value: await commands[command.op](command) });
  } catch (error) {
    reply({ id: command.id, ok: false, error: String(error && error.stack || error) });
  }
  if (command.op === "close") break;
}
process.exit(0);
