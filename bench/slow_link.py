"""python -m bench.slow_link --base-url http://127.0.0.1:8108: the portal over a slow link, in headless Chromium.

Each row is loaded with the network emulated through the DevTools protocol (Network.emulateNetworkConditions)
on a profile (rural 3G: 400 kbit/s down, 200 up, 400 ms; better 3G: 1.6 Mbit/s down, 750 up, 150 ms), with a
cold cache (Network.clearBrowserCache first) and a warm one (the same load again), median of --repeats runs.
Time: from the click or navigation until the page's load event (its one stylesheet and scripts in), or for a
search keystroke until htmx has swapped the results in. Bytes: what came over the wire (compressed bodies and
headers, from the Performance API's transferSize); requests: those that reached the network (cache hits excluded).
The service worker is blocked, so the figures are those of plain HTTP caching. Prints a Markdown table.

Needs a server on --base-url with demo data (`seed_demo`) and a user who may register customers."""

import argparse
import statistics
import time

CHROMIUM = "/usr/bin/chromium"
# The browser tests' flags (tests/browser/conftest.py); that module needs Django set up, this one does not.
CHROMIUM_ARGS = "--no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking".split()
CHROMIUM_ARGS += ["--disable-component-update", "--disable-sync"]

PROFILES = {
    "400k/400ms": {"latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 200_000 / 8},
    "1.6M/150ms": {"latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8},
}
WIRE = """() => {
  const entries = [performance.getEntriesByType("navigation")[0], ...performance.getEntriesByType("resource")];
  const sent = entries.filter((e) => e && e.transferSize > 0);
  return {bytes: sent.reduce((n, e) => n + e.transferSize, 0), requests: sent.length,
          html: entries[0] ? entries[0].encodedBodySize : 0};
}"""


def _emulate(cdp, profile):
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **PROFILES[profile]})


def _login(page, base, user, password):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def _navigate(page, url):
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    return time.perf_counter() - start, page.evaluate(WIRE)


def _search_keystroke(page, base):
    page.goto(f"{base}/customers/", wait_until="load")
    page.fill("#q", "Mo")
    page.wait_for_load_state("networkidle")
    page.evaluate("performance.clearResourceTimings()")
    page.evaluate(
        "() => { window.__settled = new Promise((resolve) => document.addEventListener('htmx:afterSettle', resolve, {once: true})); }"
    )
    start = time.perf_counter()
    page.type("#q", "k")
    page.evaluate("window.__settled")
    elapsed = time.perf_counter() - start
    wire = page.evaluate(
        """() => { const e = performance.getEntriesByType("resource").filter((r) => r.transferSize > 0);
        return {bytes: e.reduce((n, r) => n + r.transferSize, 0), requests: e.length, html: e.length ? e[0].encodedBodySize : 0}; }"""
    )
    return elapsed, wire


def _login_to_landing(page, base, user, password):
    page.goto(f"{base}/login/", wait_until="load")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    start = time.perf_counter()
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/", wait_until="load")
    return time.perf_counter() - start, page.evaluate(WIRE)


def _wizard_step(page, base):
    page.goto(f"{base}/customers/new/?restart=1", wait_until="load")
    page.fill("input[name=first_name]", "Bench")
    page.fill("input[name=last_name]", "Customer")
    page.evaluate("performance.clearResourceTimings()")
    start = time.perf_counter()
    page.click("button.primary[type=submit]")
    page.locator("select[name=site_code]").wait_for()
    page.wait_for_load_state("networkidle")
    elapsed = time.perf_counter() - start - 0.5  # networkidle waits 500 ms of quiet after the last response
    wire = page.evaluate(
        """() => { const e = performance.getEntriesByType("resource").filter((r) => r.transferSize > 0);
        return {bytes: e.reduce((n, r) => n + r.transferSize, 0), requests: e.length,
                html: e.reduce((n, r) => n + r.encodedBodySize, 0)}; }"""
    )
    return elapsed, wire


def run(args):
    from playwright.sync_api import sync_playwright

    base = args.base_url.rstrip("/")
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 820, "height": 1180}, service_workers="block")
        page = context.new_page()
        _login(page, base, args.user, args.password)
        page.goto(f"{base}/customers/?sort=id")
        detail = page.locator("#results tbody tr a").first.get_attribute("href")
        account = page.locator("#results tbody tr a[href^='/accounts/']").first.get_attribute("href")
        pages = [
            ("Login page", None),
            ("Login → landing", None),
            ("Dashboard", "/"),
            ("Customers", "/customers/"),
            ("Search keystroke", None),
            ("Customer Detail", detail),
            ("Customer Data", account),
            ("O&M report", "/reports/om/"),
            ("Wizard step (Personal → Location)", None),
        ]
        pages = [(name, path) for name, path in pages if not args.only or any(word.lower() in name.lower() for word in args.only)]
        for profile in [name for name in PROFILES if not args.profile or name in args.profile]:
            cdp = context.new_cdp_session(page)
            _emulate(cdp, profile)
            for name, path in pages:
                for cache in ("cold", "warm"):
                    samples = []
                    for _ in range(args.repeats):
                        if cache == "cold":
                            cdp.send("Network.clearBrowserCache")
                        elif name != "Search keystroke":
                            _measure(page, context, base, name, path, args)  # fills the cache
                        samples.append(_measure(page, context, base, name, path, args))
                    times = sorted(s[0] for s in samples)
                    wire = samples[len(samples) // 2][1]
                    rows.append((profile, name, cache, statistics.median(times), wire))
                    print(f"{profile:11} {name:36} {cache:4} {statistics.median(times) * 1000:6.0f} ms  {wire}", flush=True)
            cdp.detach()
        browser.close()
    return rows


def _measure(page, context, base, name, path, args):
    if name == "Login page":
        context.clear_cookies()
        result = _navigate(page, f"{base}/login/")
        _login(page, base, args.user, args.password)
        return result
    if name == "Login → landing":
        context.clear_cookies()
        return _login_to_landing(page, base, args.user, args.password)
    if name == "Search keystroke":
        return _search_keystroke(page, base)
    if name.startswith("Wizard step"):
        return _wizard_step(page, base)
    return _navigate(page, f"{base}{path}")


def table(rows):
    lines = [
        "| profile | row | cache | median ms | bytes on the wire | requests | HTML bytes (compressed) |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for profile, name, cache, median, wire in rows:
        lines.append(
            f"| {profile} | {name} | {cache} | {median * 1000:.0f} | {wire['bytes']:,} | {wire['requests']} | {wire['html']:,} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.slow_link", description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8108")
    parser.add_argument("--user", default="1002", help="an employee who may register customers (demo: 1002, O&M)")
    parser.add_argument("--password", default="cc-demo-2026!")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--only", action="append", default=[], help="only the rows whose name contains this")
    parser.add_argument("--profile", action="append", default=[], choices=list(PROFILES))
    args = parser.parse_args(argv)
    print(table(run(args)))


if __name__ == "__main__":
    main()
