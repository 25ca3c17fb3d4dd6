#!/usr/bin/env bash
# Foundation benchmark: how fast and how lean are `followupd check` and
# `followupd due --json` on a large hit list (10,000 contacts) with a large
# history (10,000 touches), compared with the bare cost of reading the same
# inputs (cat of the configuration, one sqlite3 GROUP BY over the touches).
#
# Usage: bench/foundation.sh            (uses ./followupd at the repository top)
#        FOLLOWUPD=/path/to/followupd bench/foundation.sh
#        RUNS=9 bench/foundation.sh      (timed runs per command, default 5)
#
# Exits 0 whether the targets are met or missed: it is a benchmark, not a
# test. It exits non-zero only when it cannot run (missing tool, followupd
# failing on the generated input).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
FOLLOWUPD=${FOLLOWUPD:-$top/followupd}
case $FOLLOWUPD in
/*) ;;
*) FOLLOWUPD=$PWD/$FOLLOWUPD ;;
esac
RUNS=${RUNS:-5}
NCONTACTS=10000
NTOUCHES=10000
DUE_DATE=2026-11-23

die() { echo "foundation.sh: $*" >&2; exit 1; }

[ -x "$FOLLOWUPD" ] || die "$FOLLOWUPD is not an executable (build it: ./configure -q && make followupd, or set FOLLOWUPD)"
PYTHON=$(command -v python3 || true)
[ -n "$PYTHON" ] || PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || die "python3 is required"
command -v sqlite3 >/dev/null || die "the sqlite3 command-line tool is required"

work=$(mktemp -d "${TMPDIR:-/tmp}/followupd-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# followupd finds its state through these; keep the caller's out of the way.
unset STATE_DIRECTORY FOLLOWUPD_CONFIG
export XDG_STATE_HOME=$work/state HOME=$work
conf=$work/followupd.conf
db=$XDG_STATE_HOME/followupd/followupd.db

# ---- 1. the configuration and the touches, from one seeded generator ------
"$PYTHON" - "$conf" "$work/touches.sql" "$NCONTACTS" "$NTOUCHES" "$DUE_DATE" <<'PY'
import random, sys
from datetime import datetime, timedelta, timezone

conf_path, sql_path = sys.argv[1], sys.argv[2]
ncontacts, ntouches = int(sys.argv[3]), int(sys.argv[4])
due_date = sys.argv[5]
rng = random.Random(20261123)

first = ["Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannes",
         "Ida", "Jonas", "Katrin", "Lukas", "Mia", "Noah", "Olga", "Paul",
         "Quentin", "Rosa", "Stefan", "Tanja", "Ulrich", "Vera", "Wolfgang",
         "Xenia", "Yusuf", "Zoe", "Amir", "Bianca", "Chen", "Dilara", "Emeka",
         "Farah", "Gus", "Hana", "Ivan", "Jana", "Kofi", "Lena", "Mateo", "Nina"]
last = ["Schmidt", "Meyer", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann",
        "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun",
        "Zimmermann", "Hartmann", "Lange", "Krause", "Okafor", "Patel", "Rossi",
        "Nowak", "Haddad", "Sato", "Petrov", "Lindqvist", "Garcia", "Dubois",
        "Kowalski", "Jansen", "Novak", "Yilmaz", "Andersen", "Costa", "Ivanova",
        "Murphy", "Tanaka", "Kim", "Silva", "Berg"]
# A few display names with non-ASCII letters (ids stay ASCII).
fancy = {"Muller": "Müller", "Gorlitz": "Görlitz", "Sorensen": "Sørensen",
         "Nunez": "Núñez"}
last += list(fancy)
mailhosts = ["gmail.example", "gmx.example", "web.example", "posteo.example",
             "outlook.example", "mailbox.example", "proton.example",
             "t-online.example", "icloud.example", "fastmail.example"]
words = ["acme", "lumen", "brightpath", "nordwind", "helix", "quanta", "vireo",
         "atlas", "kestrel", "orbit", "pillar", "tandem", "summit", "harbor"]
groups = [("family", "weekly..2w", None, 5),
          ("friends", "monthly..6w", None, 30),
          ("clients", "quarterly",
           "Quarterly check-in: how is it going, anything we can improve?", 40),
          ("colleagues", "2m..3m", None, 25)]
own_cadences = ["weekly", "biweekly", "2w..3w", "10d..2w", "monthly",
                "monthly..5w", "6w", "6w..2m", "quarterly..4m", "4m", "6m",
                "6m..7m", "yearly", "yearly..13m"]
reasons = [
    "Ask how the {t} project is going",
    "Send the {t} case study they asked for",
    "\"Met at the {t} meetup; interested in a pilot #q1\"",
    "\"Renewal of the {t} contract; start early; loop in finance\"",
    "Congratulate on the new role at {T}",
    "Share the article about {t} logistics",
    "\"Old friend from university; ask about the kids #classof2004\"",
    "Check that the {t} introduction worked out",
    "Thank them for the referral to {T}",
    "Plan the yearly trip; book the hut early",
]
onces = ["Book the mountain hut", "Ask whether the book recommendation worked",
         "Send the signed contract", "Follow up on the intro to {T}",
         "Call about the conference talk"]
mdays = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

def pick_date(y0, m0, d0, y1, m1, d1):
    a = datetime(y0, m0, d0).toordinal()
    b = datetime(y1, m1, d1).toordinal()
    return datetime.fromordinal(rng.randint(a, b)).strftime("%Y-%m-%d")

def quote(v):
    return v if (";" not in v and "#" not in v) or v.startswith('"') else '"%s"' % v

out = []
w = out.append
w("; followupd benchmark configuration: %d contacts, 4 groups (generated)" % ncontacts)
w("")
w("[followupd]")
w("me = Jane Doe <jane@example.org>")
w("timezone = Europe/Berlin")
w("digest_time = 07:30")
w("digest_days = mon-fri")
w("digest_limit = 50")
w("horizon = 7d")
w("")
for name, cad, reason, _ in groups:
    w("[group:%s]" % name)
    w("cadence = %s" % cad)
    if reason:
        w('reason = "%s"' % reason)
    w("")

exact = []            # every contact's exact addresses, for the touches
gweights = [g[3] for g in groups]
stats = dict(patterns=0, grouped=0, own=0, windows=0, birthday=0, met=0,
             once=0, last=0, paused=0, emails=0)
for i in range(1, ncontacts + 1):
    fn, ln = rng.choice(first), rng.choice(last)
    cid = "%s.%s.%d" % (fn.lower(), ln.lower(), i)
    if i % 500 == 1:
        w("; ---- contacts %d to %d ----" % (i, min(i + 499, ncontacts)))
    w("[contact:%s]" % cid)
    w("name = %s %s" % (fn, fancy.get(ln, ln)))
    # 1 to 3 entries; with 2 or 3, sometimes the last is an @domain pattern.
    n = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
    addrs = []
    forms = ["%s.%s%d" % (fn, ln, i), "%s%s%d" % (fn[0], ln, i),
             "%s%d" % (fn, i)]
    for k in range(n):
        if k == n - 1 and n > 1 and rng.random() < 0.25:
            addrs.append("@%s-%s%d.example" % (ln.lower(), rng.choice(words), i))
            stats["patterns"] += 1
            continue
        host = rng.choice(mailhosts) if rng.random() < 0.6 else \
            "%s%d.example" % (rng.choice(words), rng.randint(1, 400))
        a = "%s@%s" % (forms[k], host)
        if rng.random() > 0.1:          # most people write addresses lowercase
            a = a.lower()
        addrs.append(a)
        exact.append(a.lower())
    stats["emails"] += len(addrs)
    w("email = %s" % ", ".join(addrs))
    r = rng.random()
    if r < 0.75:
        g = rng.choices(groups, weights=gweights)[0]
        w("group = %s" % g[0])
        stats["grouped"] += 1
    if r >= 0.60:                       # own cadence, alone or overriding
        cad = rng.choice(own_cadences)
        stats["own"] += 1
        stats["windows"] += ".." in cad
        w("cadence = %s%s" % (cad, "          ; agreed" if rng.random() < 0.05 else ""))
    t = rng.choice(words)
    w("reason = %s" % quote(rng.choice(reasons).format(t=t, T=t.capitalize())))
    if rng.random() < 0.30:
        stats["birthday"] += 1
        if rng.random() < 0.5:
            w("birthday = %s" % pick_date(1950, 1, 1, 2000, 12, 31))
        else:
            m = rng.randint(1, 12)
            w("birthday = %02d-%02d" % (m, rng.randint(1, mdays[m - 1])))
    if rng.random() < 0.04:
        stats["met"] += 1
        d = pick_date(2026, 10, 1, 2026, 11, 22)
        w("met = %s" % (d if rng.random() < 0.3 else
                       "%s %02d:%02d" % (d, rng.randint(8, 19), rng.choice([0, 15, 30, 45]))))
    if rng.random() < 0.05:
        stats["once"] += 1
        w("once = %s %s" % (pick_date(2026, 11, 1, 2027, 2, 28),
                           rng.choice(onces).format(T=t.capitalize())))
    if rng.random() < 0.10:
        stats["last"] += 1
        w("last = %s" % pick_date(2026, 1, 1, 2026, 11, 20))
    if rng.random() < 0.01:
        stats["paused"] += 1
        w("paused = %s" % rng.choice(["yes", "until 2027-01-10"]))
    w("")

with open(conf_path, "w", encoding="utf-8") as f:
    f.write("\n".join(out))

# Touches: unique keys, one exact address each, spread over the 120 days
# before the benchmark's --date (00:00 Europe/Berlin, CET in November).
y, m, d = map(int, due_date.split("-"))
end = int(datetime(y, m, d, tzinfo=timezone(timedelta(hours=1))).timestamp())
with open(sql_path, "w") as f:
    f.write("BEGIN;\n")
    for i in range(ntouches):
        a = rng.choice(exact)
        at = end - rng.randint(1, 120 * 86400)
        f.write("INSERT INTO touches (key, address, at, via, source, account)"
                " VALUES ('<bench.%d.%08x@mail.example>', '%s', %d, 'email', 'imap', 'default');\n"
                % (i, rng.getrandbits(32), a.replace("'", "''"), at))
    f.write("COMMIT;\n")

print("generated: %d contacts (%d in a group, %d with an own cadence, %d of them windows), "
      "%d e-mail entries (%d @domain patterns)" % (ncontacts, stats["grouped"], stats["own"],
      stats["windows"], stats["emails"], stats["patterns"]))
print("           %d birthdays, %d met, %d once, %d last, %d paused; %d touches"
      % (stats["birthday"], stats["met"], stats["once"], stats["last"], stats["paused"], ntouches))
PY

# ---- 2. the state database: schema by followupd, rows by sqlite3 ----------
"$FOLLOWUPD" -c "$conf" status >/dev/null || die "followupd status failed on the generated configuration"
[ -f "$db" ] || die "followupd status did not create $db"
sqlite3 "$db" <"$work/touches.sql"
n=$(sqlite3 "$db" 'SELECT COUNT(*) FROM touches')
[ "$n" = "$NTOUCHES" ] || die "expected $NTOUCHES touches in $db, found $n"
"$FOLLOWUPD" -c "$conf" check >/dev/null || die "followupd check failed on the generated configuration"

# ---- 3. measure ------------------------------------------------------------
# BENCH_RSS=proc forces the /proc sampling fallback (see below).
TIME_BIN=
if [ "${BENCH_RSS:-}" != proc ] && [ -x /usr/bin/time ] && /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then
	TIME_BIN=/usr/bin/time
fi
export FOLLOWUPD conf db RUNS DUE_DATE TIME_BIN
"$PYTHON" - <<'PY'
import json, os, statistics, subprocess, sys, tempfile, time

F, CONF, DB = os.environ["FOLLOWUPD"], os.environ["conf"], os.environ["db"]
RUNS, DATE, TIME_BIN = int(os.environ["RUNS"]), os.environ["DUE_DATE"], os.environ["TIME_BIN"]
T_SECONDS, T_MIB = 0.3, 30.0

# Peak RSS. Not from getrusage()/wait4() in this process: a child forked
# (or vforked) by Python starts with Python's own resident set, and Linux
# carries that high-water mark across exec, so every figure would read at
# least Python's ~13 MiB. GNU time forks from a ~1 MiB process instead.
# Without it, fall back to sampling VmHWM in /proc/PID/status (the exec'd
# image's own high-water mark), which can miss a peak in the last 0.5 ms.
fd, timefile = tempfile.mkstemp()
os.close(fd)

def run(argv):
    """One run: (wall seconds, user+sys seconds, peak RSS KiB).

    CPU comes from wait4(), which counts the child and its reaped children
    (so GNU time's own share, a fraction of a millisecond, is included)."""
    wrap = [TIME_BIN, "-f", "%M", "-o", timefile] if TIME_BIN else []
    t0 = time.perf_counter()
    p = subprocess.Popen(wrap + argv, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    hwm = 0
    while True:
        pid, status, ru = os.wait4(p.pid, 0 if TIME_BIN else os.WNOHANG)
        if pid:
            break
        try:
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm = max(hwm, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.0005)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("foundation.sh: %s failed (exit %d): %s" % (" ".join(argv), p.returncode, err))
    if TIME_BIN:
        with open(timefile) as f:
            hwm = int(f.read().split()[-1])
    return wall, ru.ru_utime + ru.ru_stime, hwm

check = [F, "-c", CONF, "check"]
due = [F, "-c", CONF, "due", "--json", "--date", DATE]
sql = ["sqlite3", DB, "SELECT address, via, MAX(at) FROM touches GROUP BY address, via"]
cat = ["cat", CONF]

# The first `due` also records all 10,000 contacts as first seen (one write
# transaction): timed once, on its own. Then one untimed warm-up of each.
first_due = run(due)
cmds = [("check", check), ("due", due), ("sql", sql), ("cat", cat)]
for _, argv in cmds:
    run(argv)
res = {k: [] for k, _ in cmds}
for _ in range(RUNS):                   # interleaved, so drift hits all alike
    for k, argv in cmds:
        res[k].append(run(argv))
os.unlink(timefile)

def summary(k):
    r = res[k]
    walls = [x[0] for x in r]
    return (min(walls), statistics.median(walls),
            statistics.median(x[1] for x in r), max(x[2] for x in r) / 1024)

# Sanity: what `due --json` actually produced.
out = subprocess.run(due, stdin=subprocess.DEVNULL, capture_output=True, check=True).stdout
items = json.loads(out)
with_last = sum(1 for it in items if it["last_contact"] is not None)

def contacts_seen():
    return subprocess.run(["sqlite3", DB, "SELECT id FROM contacts"], capture_output=True,
                          text=True, check=True).stdout.split()
rows = subprocess.run(["sqlite3", DB, "SELECT COUNT(*) FROM (SELECT 1 FROM touches GROUP BY address, via)"],
                      capture_output=True, text=True, check=True).stdout.strip()
ver = subprocess.run([F, "--version"], capture_output=True, text=True).stdout.strip()
sqlv = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[0]

print()
print("followupd foundation benchmark")
print("  binary:   %s (%s), sqlite3 CLI %s, %d CPUs" % (F, ver, sqlv, os.cpu_count()))
print("  input:    %s (%.1f KiB), %s (%.1f KiB, %s distinct address/via pairs)"
      % (os.path.basename(CONF), os.path.getsize(CONF) / 1024, os.path.basename(DB),
         os.path.getsize(DB) / 1024, rows))
print("  output:   due --json --date %s lists %d follow-ups, %d with a last contact (%.1f KiB of JSON)"
      % (DATE, len(items), with_last, len(out) / 1024))
print("  method:   %d timed runs each (after one warm-up), interleaved; wall time by %s; peak RSS by %s"
      % (RUNS, "perf_counter around the run",
         "GNU time %M (max over the runs)" if TIME_BIN else "sampling /proc/PID/status VmHWM (approximate)"))
print()
hdr = "  %-46s %9s %9s %9s %10s" % ("command", "best s", "median s", "CPU s", "peak MiB")
print(hdr)
print("  " + "-" * (len(hdr) - 2))
labels = [("check", "followupd check"),
          ("due", "followupd due --json --date %s" % DATE),
          ("sql", "baseline: sqlite3 GROUP BY address, via"),
          ("cat", "baseline: cat CONF")]
S = {k: summary(k) for k, _ in labels}
for k, label in labels:
    print("  %-46s %9.4f %9.4f %9.4f %10.1f" % ((label,) + S[k]))
print("  %-46s %9s %9.4f %9.4f %10.1f" % ("followupd due --json, first run (*)", "",
                                            first_due[0], first_due[1], first_due[2] / 1024))
print("  (*) a single run, before the others: it also records all %d contacts" % len(contacts_seen()))
print("      as first seen in the state database (one write transaction)")
base = S["sql"][1] + S["cat"][1]
base_best = S["sql"][0] + S["cat"][0]
print()
print("  baseline = sqlite3 query + cat CONF: median %.4f s (best %.4f s)" % (base, base_best))
print("  ratio to baseline, median (best):  check %.2fx (%.2fx)   due --json %.2fx (%.2fx)"
      % (S["check"][1] / base, S["check"][0] / base_best, S["due"][1] / base, S["due"][0] / base_best))
print()
print("  targets: median wall time < %.1f s and peak RSS < %.0f MiB" % (T_SECONDS, T_MIB))
for k, name in (("check", "check"), ("due", "due --json")):
    _, med, _, mib = S[k]
    print("    %-11s time %7.4f s  %-6s   memory %6.1f MiB  %s"
          % (name, med, "MET" if med < T_SECONDS else "MISSED",
             mib, "MET" if mib < T_MIB else "MISSED"))
PY
