#!/usr/bin/env python3
"""Turns the runs of bench/compare.sh into one table, results.json and chart.png (medians over repeats).

usage: report.py OUT_DIR --machine key=value ... --settings key=value ...
Reads OUT_DIR/runs/<scenario>__<server>__<repeat>.json as written by ./hellonet loadgen --json.
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys

# scenario -> (title, peer, goal text, goal check on (hellonet replies/s, ratio))
SCENARIOS = {
    "pipelined": ("pipelined", "redis", ">=1.5x, >=1M/s", lambda h, r: r >= 1.5 and h >= 1_000_000),
    "unpipelined": ("unpipelined", "redis", ">=1.0x", lambda h, r: r >= 1.0),
    "conn": ("conn per request", "nginx", ">=0.9x", lambda h, r: r >= 0.9),
    "conn-procs": ("conn per request, processes", "nginx", ">=1.0x", lambda h, r: r >= 1.0),
    "conn-loops": ("conn per request, per-loop acceptors", "nginx", ">=1.0x", lambda h, r: r >= 1.0),
}
PEER_NAMES = {"redis": "Redis INCR", "nginx": "nginx stream"}


def key_values(pairs):
    out = {}
    for p in pairs or []:
        k, _, v = p.partition("=")
        out[k] = int(v) if v.isdigit() else v
    return out


def load_runs(out):
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, "runs", "*.json"))):
        scenario, server, repeat = os.path.basename(path)[:-5].split("__")
        with open(path) as f:
            runs.setdefault((scenario, server), []).append(dict(json.load(f), repeat=int(repeat)))
    return runs


def summarize(runs):
    """Median figures of one server in one scenario, with errors and duplicates summed over its runs."""
    med = lambda xs: statistics.median(xs) if xs else 0
    return {
        "runs": len(runs),
        "repliesPerSecond": round(med([r["repliesPerSecond"] for r in runs])),
        "repliesPerSecondEachRun": [r["repliesPerSecond"] for r in runs],
        "latencyMicros": {p: round(med([r["latencyMicros"][p] for r in runs]), 1) for p in ("p50", "p99", "p999")},
        "errors": sum(r["errors"]["total"] for r in runs),
        "duplicates": sum(r["numbers"]["duplicates"] for r in runs),
        # One reply per request on every connection, over each run (older result files lack it: counted as 0).
        "extraReplies": sum(r.get("exactness", {}).get("extra", 0) for r in runs),
        "unanswered": sum(r.get("exactness", {}).get("unanswered", 0) for r in runs),
        "requests": sum(r.get("exactness", {}).get("requests", 0) for r in runs),
        "numbersChecked": sum(r["numbers"]["checked"] for r in runs),
        "loadgenCpuPercent": round(med([r["loadgenCpuPercent"] for r in runs]), 1),
        "ok": all(r["ok"] for r in runs),
    }


def shape(runs):
    r = runs[0]
    if r["mode"] == "conn":
        return f'{r["connections"]} slots'
    return f'{r["connections"]} conns x depth {r["depth"]}'


def human(n):
    return f"{n / 1e6:.2f}M" if n >= 1e6 else f"{n / 1e3:.1f}k" if n >= 1e3 else str(n)


def spread(row):
    """The lowest and highest per-repeat ratio, which shows how much the noise of the machine moved it."""
    each = row["ratioEachRun"]
    return f"{min(each):.2f}-{max(each):.2f}x" if len(each) > 1 else "-"


def ms(us):
    return f"{us / 1000:.1f} ms" if us >= 10_000 else f"{us / 1000:.2f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--machine", nargs="*")
    ap.add_argument("--settings", nargs="*")
    a = ap.parse_args()
    runs = load_runs(a.out)
    rows = []
    for name, (title, peer, goal, met) in SCENARIOS.items():
        h_runs, p_runs = runs.get((name, "hellonet")), runs.get((name, peer))
        if not h_runs or not p_runs:
            continue
        h, p = summarize(h_runs), summarize(p_runs)
        # Runs of one repeat ran back to back, so they share the machine's mood: compare within a repeat, then take
        # the median, rather than dividing two medians that may come from different moments.
        peer_by_repeat = {r["repeat"]: r["repliesPerSecond"] for r in p_runs}
        ratios = [r["repliesPerSecond"] / peer_by_repeat[r["repeat"]] for r in h_runs
                  if peer_by_repeat.get(r["repeat"])]
        ratio = statistics.median(ratios) if ratios else 0
        rows.append({
            "scenario": name, "title": title, "load": shape(h_runs), "peer": peer, "peerName": PEER_NAMES[peer],
            "hellonet": h, "peerResult": p, "ratio": round(ratio, 3), "ratioEachRun": [round(x, 3) for x in ratios],
            "ratioOfMedians": round(h["repliesPerSecond"] / p["repliesPerSecond"], 3) if p["repliesPerSecond"] else 0,
            "goal": goal,
            "goalMet": bool(met(h["repliesPerSecond"], ratio)),
            "checksOk": h["ok"] and p["ok"],
        })
    if not rows:
        sys.exit("report.py: no complete scenario under " + a.out)

    result = {"machine": key_values(a.machine), "settings": key_values(a.settings), "scenarios": rows}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")

    head = ("scenario", "load", "hellonet/s", "peer", "peer/s", "ratio", "ratio range", "goal", "met", "p99 hellonet",
            "p99 peer", "checks")
    table = [head]
    for r in rows:
        h, p = r["hellonet"], r["peerResult"]
        problems = (h["errors"] + p["errors"], h["duplicates"] + p["duplicates"],
                    h["extraReplies"] + p["extraReplies"], h["unanswered"] + p["unanswered"])
        table.append((r["title"], r["load"], f'{h["repliesPerSecond"]:,}', r["peerName"], f'{p["repliesPerSecond"]:,}',
                      f'{r["ratio"]:.3f}x', spread(r), r["goal"], "yes" if r["goalMet"] else "NO",
                      ms(h["latencyMicros"]["p99"]), ms(p["latencyMicros"]["p99"]),
                      "ok" if r["checksOk"] else f"FAILED ({problems[0]} errors, {problems[1]} dups, {problems[2]} extra"
                                                 f" replies, {problems[3]} unanswered)"))
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    right = {2, 4, 5, 9, 10}
    lines = []
    for i, row in enumerate(table):
        lines.append("  ".join(c.rjust(w) if j in right else c.ljust(w)
                               for j, (c, w) in enumerate(zip(row, widths))).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    s = result["settings"]
    m = result["machine"]
    lines.append("")
    lines.append(f'median of {s.get("repeat", 1)} run(s) each; {s.get("warmupSeconds")} s warm-up + '
                 f'{s.get("durationSeconds")} s measured; ratio = median over repeats of hellonet / peer in the same '
                 f'repeat; checks = every reply well formed, one reply per request on every connection, no number repeated')
    if s.get("serverThreads"):
        lines.append(f'servers: hellonet {s["serverThreads"]} instance(s), nginx {s["serverThreads"]} worker(s), Redis 1 '
                     f'thread; the load generator runs on the same machine')
    if s.get("processes"):
        lines.append(f'conn per request, processes: hellonet hello.processes={s["processes"]} (1 instance each, '
                     f'SO_REUSEPORT, hello.acceptor={s.get("procsAcceptor", "shared")}) against nginx with '
                     f'{s["processes"]} workers')
        lines.append(f'conn per request, per-loop acceptors: one hellonet JVM, {s["processes"]} instances with '
                     f'hello.acceptor=per-loop, against the same nginx with {s["processes"]} workers')
    lines.append(f'{m.get("cores")} cores ({m.get("cpu")}), kernel {m.get("kernel")}, {m.get("jdk")}, '
                 f'nginx {m.get("nginx")}, Redis {m.get("redis")}')
    text = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "table.txt"), "w") as f:
        f.write(text)
    print(text, end="")

    chart = draw(a.out, rows, s)
    print(f"results: {os.path.join(a.out, 'results.json')}" + (f", chart: {chart}" if chart else " (no chart: gnuplot missing or failed)"))
    return 0 if all(r["checksOk"] for r in rows) else 1


def draw(out, rows, settings):
    """A clustered bar chart with gnuplot: per scenario hellonet beside its peer, log scale, values on the bars."""
    if not shutil.which("gnuplot"):
        return None
    dat = os.path.join(out, "chart.dat")
    with open(dat, "w") as f:
        for i, r in enumerate(rows):
            h, p = r["hellonet"]["repliesPerSecond"], r["peerResult"]["repliesPerSecond"]
            f.write(f'{i} {h} {p} "{human(h)}" "{human(p)}"\n')
    terminals = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    term = "pngcairo size 1100,620 font 'sans,11'" if "pngcairo" in terminals.stdout + terminals.stderr \
        else "png size 1100,620"
    def tic(i, r):
        ranged = f" ({spread(r)})" if len(r["ratioEachRun"]) > 1 else ""
        return f'"{r["title"]}\\n{r["load"]}\\nvs {r["peerName"]}: {r["ratio"]:.2f}x{ranged}" {i}'
    tics = ", ".join(tic(i, r) for i, r in enumerate(rows))
    top = max(max(r["hellonet"]["repliesPerSecond"], r["peerResult"]["repliesPerSecond"]) for r in rows)
    low = min(min(r["hellonet"]["repliesPerSecond"], r["peerResult"]["repliesPerSecond"]) for r in rows)
    png = os.path.join(out, "chart.png")
    script = f"""
set terminal {term}
set output '{png}'
set title "hellonet beside Redis INCR and nginx stream: median replies per second\\n({settings.get('repeat')} run(s), {settings.get('durationSeconds')} s measured each; ratio = median of hellonet / peer per repeat)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [{max(1, low / 4)}:{top * 4}]
set format y "%.0s%c"
set ylabel "replies per second (log scale)"
set grid ytics
set key top right
set xtics ({tics})
set xrange [-0.6:{len(rows) - 0.4}]
set bmargin 5
plot '{dat}' using 2 title 'hellonet' lc rgb '#1f77b4', \\
     '' using 3 title 'peer (Redis INCR / nginx stream)' lc rgb '#ff7f0e', \\
     '' using ($1-1./6):2:4 with labels offset 0,0.8 notitle, \\
     '' using ($1+1./6):3:5 with labels offset 0,0.8 notitle
"""
    with open(os.path.join(out, "chart.gp"), "w") as f:
        f.write(script)
    done = subprocess.run(["gnuplot", os.path.join(out, "chart.gp")], capture_output=True, text=True)
    if done.returncode != 0:
        print("report.py: gnuplot failed: " + done.stderr.strip(), file=sys.stderr)
        return None
    return png


if __name__ == "__main__":
    sys.exit(main())
