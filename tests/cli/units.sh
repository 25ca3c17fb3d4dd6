#!/bin/sh
# What ships for systemd and for new users: the three units (system, user,
# and the per-user template followupd@.service) pass systemd-analyze
# verify, the system unit's exposure (systemd-analyze security --offline)
# is at most 1.5 and the template's, run as a user, at most 2; the system
# unit has what followupd(8) promises
# (DynamicUser, StateDirectory, credentials, Type=notify, the watchdog,
# reload, no restart on a configuration error, no core dumps, a memory
# limit); the template runs as the instance's user with her own
# configuration and state (no DynamicUser, no StateDirectory, whose
# STATE_DIRECTORY would win over her ~/.local/state); the example configuration
# passes `followupd check` as shipped and shows every key the manual
# documents.
. "$(dirname "$0")/lib.sh"

BUILD=${BUILDDIR:?run through make check}
SYS="$BUILD/systemd/followupd.service"
USR="$BUILD/systemd/user/followupd.service"
TPL="$BUILD/systemd/followupd@.service"
EXAMPLE="$SRCDIR/conf/followupd.conf.example"

# ---- the example configuration ------------------------------------------------
expect 0 -c "$EXAMPLE" check
has "$T/out" "OK: 4 contacts, 3 groups, 1 IMAP account, SMTP, 1 calendar"
# Every key of followupd.conf(5) is in it, set or commented out.
sed -n 's/^\.It Ic \([a-z_]*\) = .*/\1/p; s/^\.It Ic \([a-z_]*\) = Ar path , Ic \([a-z_]*\) = .*/\2/p' \
    "$SRCDIR/man/followupd.conf.5" | sort -u >"$T/keys"
[ "$(wc -l <"$T/keys")" -ge 40 ] || fail "only $(wc -l <"$T/keys") keys read from the manual"
while read -r k; do
	grep -Eq "^;?$k =" "$EXAMPLE" || fail "the example lacks the key $k"
done <"$T/keys"

# ---- the units --------------------------------------------------------------------
[ -f "$SYS" ] && [ -f "$USR" ] && [ -f "$TPL" ] || { fail "the units were not built"; done_tests; }
command -v systemd-analyze >/dev/null 2>&1 || { echo "SKIP: no systemd-analyze"; exit 77; }
# As installed, with the binary of this build (verify wants it to exist).
mkdir -p "$T/units" "$T/run"
chmod 700 "$T/run"
for u in "$SYS" "$USR" "$TPL"; do
	grep -q "^ExecStart=/[^ ]*/followupd " "$u" || fail "$u: ExecStart does not run followupd: $(grep ExecStart "$u")"
done
mkdir -p "$T/units/user"
sed "s|^ExecStart=/[^ ]*/followupd |ExecStart=$FOLLOWUPD |" "$SYS" >"$T/units/followupd.service"
sed "s|^ExecStart=/[^ ]*/followupd |ExecStart=$FOLLOWUPD |" "$USR" >"$T/units/user/followupd.service"
# The template, and an instance of it, for a user "jane".
sed "s|^ExecStart=/[^ ]*/followupd |ExecStart=$FOLLOWUPD |" "$TPL" >"$T/units/followupd@.service"
cp "$T/units/followupd@.service" "$T/units/followupd@jane.service"
systemd-analyze verify --man=no "$T/units/followupd.service" >"$T/verify" 2>&1 ||
    fail "systemd-analyze verify (system): $(cat "$T/verify")"
[ -s "$T/verify" ] && fail "systemd-analyze verify (system) warns: $(cat "$T/verify")"
XDG_RUNTIME_DIR="$T/run" systemd-analyze --user verify --man=no "$T/units/user/followupd.service" \
    >"$T/verify" 2>&1 || fail "systemd-analyze verify (user): $(cat "$T/verify")"
[ -s "$T/verify" ] && fail "systemd-analyze verify (user) warns: $(cat "$T/verify")"
for u in followupd@.service followupd@jane.service; do
	systemd-analyze verify --man=no "$T/units/$u" >"$T/verify" 2>&1 ||
	    fail "systemd-analyze verify ($u): $(cat "$T/verify")"
	[ -s "$T/verify" ] && fail "systemd-analyze verify ($u) warns: $(cat "$T/verify")"
done
systemd-analyze security --offline=yes "$T/units/followupd.service" >"$T/security" 2>&1 ||
    fail "systemd-analyze security: $(tail -3 "$T/security")"
level=$(sed -n 's/.*Overall exposure level for followupd.service: \([0-9.]*\).*/\1/p' "$T/security")
[ -n "$level" ] || fail "no exposure level: $(tail -3 "$T/security")"
echo "# exposure level of the system unit: $level"
awk -v l="${level:-99}" 'BEGIN { exit !(l <= 1.5) }' || fail "exposure level $level > 1.5"
systemd-analyze security --offline=yes "$T/units/followupd@jane.service" >"$T/security" 2>&1 ||
    fail "systemd-analyze security (template): $(tail -3 "$T/security")"
level=$(sed -n 's/.*Overall exposure level for followupd@jane.service: \([0-9.]*\).*/\1/p' "$T/security")
echo "# exposure level of the template's instance followupd@jane: ${level:-?}"
awk -v l="${level:-99}" 'BEGIN { exit !(l <= 2) }' || fail "template: exposure level ${level:-?} > 2"
for kv in Type=notify DynamicUser=yes StateDirectory=followupd ConfigurationDirectory=followupd \
    'LoadCredential=imap:' 'LoadCredential=smtp:' 'WatchdogSec=' 'ExecReload=/bin/kill -HUP $MAINPID' \
    Restart=on-failure RestartPreventExitStatus=78 NoNewPrivileges=yes ProtectSystem=strict \
    ProtectHome=yes PrivateTmp=yes CapabilityBoundingSet= LimitCORE=0 MemoryMax=; do
	grep -qF -- "$kv" "$SYS" || fail "the system unit lacks $kv"
done
for kv in Type=notify 'WatchdogSec=' 'ExecReload=/bin/kill -HUP $MAINPID' Restart=on-failure \
    RestartPreventExitStatus=78 WantedBy=default.target LimitCORE=0 MemoryMax=; do
	grep -qF -- "$kv" "$USR" || fail "the user unit lacks $kv"
done
for kv in Type=notify 'User=%i' ' -c ${HOME}/.config/followupd/followupd.conf run' \
    'WatchdogSec=' 'ExecReload=/bin/kill -HUP $MAINPID' Restart=on-failure RestartPreventExitStatus=78 \
    NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes CapabilityBoundingSet= LimitCORE=0 \
    MemoryMax= WantedBy=multi-user.target; do
	grep -qF -- "$kv" "$TPL" || fail "the template lacks $kv"
done
for k in DynamicUser= StateDirectory= RemoveIPC=; do
	! grep -q "^$k" "$TPL" || fail "the template has $k: $(grep "^$k" "$TPL")"
done
done_tests
