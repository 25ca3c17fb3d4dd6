# Shared by the integration tests: a real Dovecot on loopback, with its own
# configuration, certificates, mail store and log, all under one temporary
# directory $IT that is removed (and the Dovecot stopped) when the test exits.
#
# Sourced by a test script that make check runs from the build directory,
# with FOLLOWUPD (the binary) and SRCDIR (the top source directory) set.
# Needs root (Dovecot is started as root and drops to its own users),
# /usr/sbin/dovecot, openssl and python3; without them the test is skipped
# (exit 77).
#
# Typical use:
#	. "$SRCDIR/tests/integration/lib.sh"
#	it_certs
#	it_dovecot_start
#	it_config '[contact:bob]' 'email = bob@example.com'
#	expect 0 sync
#	...
#	done_tests
#
# What it provides
#   Variables (exported):
#	IT              the private directory (mode 0755); also $T, as in tests/cli
#	IT_SRC          this directory ($SRCDIR/tests/integration)
#	IT_PASS         jane's IMAP password
#	IT_USER         the IMAP login, "jane"
#	IT_IMAPS_PORT   the port of implicit TLS (imaps)
#	IT_IMAP_PORT    the port of plain IMAP (with STARTTLS, except on .4)
#	IT_PYTHON       the Python interpreter used for the helpers
#	IT_KILLS        how many SIGKILLs the fault tests deal (default 50;
#	                the sanitizer and valgrind passes, which look for
#	                memory errors on each path rather than for what
#	                survives a kill, ask for fewer)
#	XDG_STATE_HOME, HOME, FOLLOWUPD_CONFIG  pointing inside $IT
#   Functions:
#	fail, expect, has, wait_for, done_tests   from tests/assert.sh
#	it_free_port                    a free TCP port on 127.0.0.1
#	it_caps ADDRESS                 what Dovecot's plain listener on ADDRESS
#	                                answers to CAPABILITY, before any TLS
#	it_certs                        CA and server certificates in $IT/tls
#	it_dovecot_start [LINE...]      writes the configuration (extra LINEs
#	                                are appended to it) and starts Dovecot
#	it_dovecot_stop, it_dovecot_restart
#	it_dovecot_log_mark             later log searches see only newer lines
#	it_dovecot_log_has STRING       true when the log (since the mark) has it
#	it_dovecot_log_wait STRING [S]  the same, polling up to S seconds (5)
#	it_config [LINE...]             writes $FOLLOWUPD_CONFIG
#	it_smtp_config PORT             appends [smtp] for the test SMTP server
#	it_config_set KEY VALUE         sets a [followupd] key
#	imapctl ARGS...                 runs imapctl.py (append, create, ...)
#
# The listeners: the same two ports on four loopback addresses.
#	address     imaps ($IT_IMAPS_PORT)   imap ($IT_IMAP_PORT)
#	127.0.0.1   good.pem                 STARTTLS with good.pem
#	127.0.0.2   self.pem                 STARTTLS with self.pem
#	127.0.0.3   wrong.pem                STARTTLS with wrong.pem
#	127.0.0.4   (none)                   plain text, no STARTTLS at all
#   good.pem:  signed by $IT/tls/ca.pem, for DNS:localhost and IP:127.0.0.1
#   self.pem:  self-signed (not by the CA), for IP:127.0.0.2
#   wrong.pem: signed by the CA, but only for DNS:imap.example.org
# Plain-text LOGIN is allowed everywhere (disable_plaintext_auth = no), so
# a client that sends its password without TLS would succeed: tests check
# the log ($IT/dovecot.log, Dovecot 2.3.19) instead. Every connection to the
# login process ends in one line; one that never tried to log in says
# "(no auth attempts in N secs)", with a reason before it that varies:
#	imap-login: Info: Disconnected: Connection closed (no auth attempts in 0 secs): user=<>, rip=127.0.0.1, lip=127.0.0.4, session=<...>
#	imap-login: Info: Disconnected: Aborted login by logging out (no auth attempts in 0 secs): ...
#	imap-login: Info: Disconnected: Connection closed: SSL_accept() failed: ...
#	    tlsv1 alert unknown ca: SSL alert number 48 (no auth attempts in 0 secs): ... lip=127.0.0.2, TLS handshaking: ...
#	    (a client that refused self.pem; "bad certificate: SSL alert number 42"
#	    for one that refused wrong.pem, by OpenSSL; other TLS stacks may send
#	    other alerts or none: "TLS handshaking: Connection closed")
# a login (TLS: after STARTTLS or on imaps; nothing there: plain text):
#	imap-login: Info: Login: user=<jane>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.4, mpid=123, session=<...>
#	imap-login: Info: Login: user=<jane>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=123, TLS, session=<...>
# and a wrong password:
#	auth: Info: passwd-file(jane,127.0.0.1,<...>): Password mismatch
#	imap-login: Info: Disconnected: Connection closed (auth failed, 1 attempts in 0 secs): user=<jane>, method=PLAIN, ...
# it_dovecot_start's own probes come from 127.0.0.9 and are before the mark
# it sets, so "no auth attempts" after it is about the test's connections.
# Failed logins are answered at once and bring no penalty delay.
# Dovecot keeps an INTERNALDATE at most 2 hours ahead; a later one becomes
# the time of the APPEND (imapctl.py refuses such an --internaldate).
set -u
: "${FOLLOWUPD:?run through make check}"
: "${SRCDIR:?run through make check}"

it_skip() { echo "SKIP: $*"; exit 77; }
[ -x /usr/sbin/dovecot ] || it_skip "/usr/sbin/dovecot is not installed"
command -v openssl >/dev/null 2>&1 || it_skip "openssl is not installed"
IT_PYTHON=${IT_PYTHON:-python3}
command -v "$IT_PYTHON" >/dev/null 2>&1 || it_skip "python3 is not installed"
[ "$(id -u)" -eq 0 ] || it_skip "Dovecot must be started as root"
id dovecot >/dev/null 2>&1 || it_skip "no 'dovecot' system user"
id dovenull >/dev/null 2>&1 || it_skip "no 'dovenull' system user"

IT=$(mktemp -d /tmp/fu-it.XXXXXX) || exit 99
chmod 755 "$IT"
# shellcheck disable=SC2034  # T: for tests written in the style of tests/cli
T=$IT
IT_SRC=$SRCDIR/tests/integration
IT_USER=jane
IT_PASS=pw-Xq7-secret
IT_IMAPS_PORT=
IT_IMAP_PORT=
IT_LOG_MARK=0
IT_KILLS=${IT_KILLS:-50}
export IT IT_SRC IT_USER IT_PASS IT_IMAPS_PORT IT_IMAP_PORT IT_PYTHON IT_KILLS
export XDG_STATE_HOME="$IT/state" HOME="$IT" FOLLOWUPD_CONFIG="$IT/followupd.conf"
unset STATE_DIRECTORY CREDENTIALS_DIRECTORY XDG_CONFIG_HOME

it_cleanup() {
	it_dovecot_stop
	rm -rf "$IT"
}
trap 'it_cleanup' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

. "$SRCDIR/tests/assert.sh"   # fail, expect, has, wait_for, secret, done_tests
secret "$IT_PASS"

# imapctl ARGS...: the IMAP helper (see imapctl.py), against 127.0.0.1 imaps.
imapctl() { "$IT_PYTHON" "$IT_SRC/imapctl.py" "$@"; }

# ---- certificates ---------------------------------------------------------

# it_leaf_csr NAME: an EC P-256 key and a CSR for a server certificate.
it_leaf_csr() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$IT/tls/$1.key" 2>>"$IT/tls/openssl.log" &&
	openssl req -new -key "$IT/tls/$1.key" -subj "/O=followupd tests/CN=$1" \
	    -out "$IT/tls/$1.csr" 2>>"$IT/tls/openssl.log"
}

# it_leaf_ext SAN: the extensions of a server certificate.
it_leaf_ext() {
	printf '%s\n' \
	    'basicConstraints = critical, CA:FALSE' \
	    'keyUsage = critical, digitalSignature' \
	    'extendedKeyUsage = serverAuth' \
	    'subjectKeyIdentifier = hash' \
	    "subjectAltName = $1"
}

# it_ca_sign NAME SAN: signs NAME's CSR with the test CA.
it_ca_sign() {
	{ it_leaf_ext "$2"; echo 'authorityKeyIdentifier = keyid'; } >"$IT/tls/$1.ext"
	openssl x509 -req -in "$IT/tls/$1.csr" -CA "$IT/tls/ca.pem" \
	    -CAkey "$IT/tls/ca.key" -CAserial "$IT/tls/ca.srl" -CAcreateserial \
	    -days 3 -sha256 -extfile "$IT/tls/$1.ext" -out "$IT/tls/$1.pem" \
	    2>>"$IT/tls/openssl.log"
}

# it_certs: in $IT/tls, EC P-256 keys (0600) and certificates valid for 3
# days: ca.pem (CA:TRUE, keyCertSign), and for servers (CA:FALSE,
# digitalSignature, serverAuth) good.pem, self.pem, wrong.pem as above.
it_certs() {
	mkdir -p "$IT/tls" || exit 99
	(
		umask 077
		set -e
		cd "$IT/tls"
		printf '%s\n' \
		    '[req]' 'distinguished_name = dn' 'x509_extensions = ca' \
		    '[dn]' \
		    '[ca]' \
		    'basicConstraints = critical, CA:TRUE, pathlen:0' \
		    'keyUsage = critical, keyCertSign, cRLSign' \
		    'subjectKeyIdentifier = hash' >ca.cnf
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		    -out ca.key 2>>openssl.log
		openssl req -x509 -new -config ca.cnf -key ca.key -sha256 -days 3 \
		    -subj '/O=followupd tests/CN=followupd test CA' \
		    -out ca.pem 2>>openssl.log
		it_leaf_csr good
		it_ca_sign good 'DNS:localhost, IP:127.0.0.1'
		it_leaf_csr wrong
		it_ca_sign wrong 'DNS:imap.example.org'
		# self-signed: its own issuer, unknown to ca.pem
		it_leaf_csr self
		it_leaf_ext 'IP:127.0.0.2' >self.ext
		openssl x509 -req -in self.csr -key self.key -days 3 -sha256 \
		    -extfile self.ext -out self.pem 2>>openssl.log
		chmod 644 ca.pem good.pem self.pem wrong.pem
	)
	# (not "( ) ||", which would turn set -e off inside)
	# shellcheck disable=SC2181
	[ $? -eq 0 ] || { cat "$IT/tls/openssl.log"; echo "it_certs: openssl failed"; exit 99; }
}

# ---- Dovecot --------------------------------------------------------------

IT_DC=$IT/dovecot
IT_DC_CONF=$IT_DC/dovecot.conf
IT_DC_LOG=$IT/dovecot.log

# Two TCP ports free on 127.0.0.1 to 127.0.0.4, as "IMAPS IMAP".
# it_free_port: one free TCP port on 127.0.0.1 (for the tests' other servers).
it_caps() {
	"$IT_PYTHON" - "$1" "$IT_IMAP_PORT" <<'PY'
import socket, sys
with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10) as s:
    f = s.makefile("rwb")
    f.readline()
    f.write(b"a CAPABILITY\r\nb LOGOUT\r\n")
    f.flush()
    print(f.read().decode())
PY
}
it_free_port() {
	"$IT_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

it_free_ports() {
	"$IT_PYTHON" - <<'EOF'
import random, socket, sys
def free(port):
    socks = []
    try:
        for host in ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()
got = []
for _ in range(500):
    p = random.randint(20000, 60000)
    if p not in got and free(p):
        got.append(p)
        if len(got) == 2:
            print(got[0], got[1])
            sys.exit(0)
sys.exit("no free ports")
EOF
}

# it_dovecot_wait: until every listener accepts connections and the login
# processes greet (up to about 10 s). The probes come from 127.0.0.9, so that
# their lines in the log ("no auth attempts", rip=127.0.0.9) are told apart.
it_dovecot_wait() {
	"$IT_PYTHON" - "$IT_IMAPS_PORT" "$IT_IMAP_PORT" <<'EOF'
import socket, sys, time
imaps, imap = int(sys.argv[1]), int(sys.argv[2])
want = [(h, imaps, False) for h in ("127.0.0.1", "127.0.0.2", "127.0.0.3")]
want += [(h, imap, True) for h in ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")]
deadline = time.monotonic() + 10
while want:
    host, port, greet = want[0]
    try:
        with socket.create_connection((host, port), timeout=2,
                                      source_address=("127.0.0.9", 0)) as s:
            if greet:
                line = s.makefile("rb").readline()
                if not line.startswith(b"* OK"):
                    raise OSError("greeting: %r" % line)
        want.pop(0)
    except OSError as e:
        if time.monotonic() > deadline:
            sys.exit("dovecot: %s:%d: %s" % (host, port, e))
        time.sleep(0.1)
EOF
}

it_dovecot_write_conf() {
	dc_uid=$(id -u dovecot) && dc_gid=$(id -g dovecot) || exit 99
	mkdir -p "$IT_DC" "$IT/mail" || exit 99
	chown dovecot:dovecot "$IT/mail"
	chmod 700 "$IT/mail"
	# the auth process runs as the dovecot user and reads the passwd file
	printf '%s:{PLAIN}%s\n' "$IT_USER" "$IT_PASS" >"$IT_DC/passwd"
	chown root:dovecot "$IT_DC/passwd"
	chmod 640 "$IT_DC/passwd"
	cat >"$IT_DC_CONF" <<EOF
# Generated by tests/integration/lib.sh; nothing from /etc/dovecot.
base_dir = $IT_DC/run
state_dir = $IT_DC/state
log_path = $IT_DC_LOG
instance_name = fu-it-${IT##*.}
protocols = imap
listen = 127.0.0.1
shutdown_clients = yes

default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = $dc_uid
last_valid_uid = 0
first_valid_gid = $dc_gid

auth_verbose = yes
auth_mechanisms = plain login
disable_plaintext_auth = no
# a failed login answers at once (default: after 2 s)
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $IT_DC/passwd
}
userdb {
  driver = static
  args = uid=$dc_uid gid=$dc_gid home=$IT/mail/%u
}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
}

ssl = yes
ssl_cert = <$IT/tls/good.pem
ssl_key = <$IT/tls/good.key

service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1, 127.0.0.2, 127.0.0.3, 127.0.0.4
    port = $IT_IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1, 127.0.0.2, 127.0.0.3
    port = $IT_IMAPS_PORT
    ssl = yes
  }
}
service anvil {
  chroot =
  # no auth penalty: after a failed login, the next one from the same
  # address would wait 4 to 15 s (the auth process cannot reach anvil)
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

local 127.0.0.2 {
  ssl_cert = <$IT/tls/self.pem
  ssl_key = <$IT/tls/self.key
}
local 127.0.0.3 {
  ssl_cert = <$IT/tls/wrong.pem
  ssl_key = <$IT/tls/wrong.key
}
local 127.0.0.4 {
  ssl = no
}
EOF
	for line in "$@"; do
		printf '%s\n' "$line" >>"$IT_DC_CONF"
	done
}

# it_dovecot_start [LINE...]: the first call picks the ports and writes the
# configuration, with LINEs appended; later calls reuse both. (When a port
# was taken in between, by a test running in parallel, the first call picks
# others and tries again.)
# shellcheck disable=SC2120
it_dovecot_start() {
	[ -f "$IT/tls/good.pem" ] || it_certs
	it_dovecot_log_mark
	tries=1 pick=no
	[ -n "$IT_IMAPS_PORT" ] || tries=5 pick=yes
	while :; do
		if [ "$pick" = yes ]; then
			ports=$(it_free_ports) || { echo "it_dovecot_start: no free ports"; exit 99; }
			IT_IMAPS_PORT=${ports% *}
			IT_IMAP_PORT=${ports#* }
			export IT_IMAPS_PORT IT_IMAP_PORT
			it_dovecot_write_conf "$@"
		fi
		/usr/sbin/dovecot -c "$IT_DC_CONF" 2>"$IT_DC/start.err" && break
		tries=$((tries - 1))
		if [ "$tries" -gt 0 ] && grep -q 'in use' "$IT_DC/start.err"; then
			continue
		fi
		echo "it_dovecot_start: dovecot did not start:"
		cat "$IT_DC/start.err"
		[ -f "$IT_DC_LOG" ] && cat "$IT_DC_LOG"
		exit 99
	done
	if ! it_dovecot_wait; then
		echo "it_dovecot_start: dovecot does not answer; its log:"
		cat "$IT_DC_LOG"
		exit 99
	fi
	# let the probes' lines reach the log, then mark it past them
	n=50
	while [ "$n" -gt 0 ] &&
	    [ "$(tail -c +"$((IT_LOG_MARK + 1))" "$IT_DC_LOG" | grep -c 'rip=127\.0\.0\.9,')" -lt 7 ]; do
		n=$((n - 1))
		sleep 0.1
	done
	it_dovecot_log_mark
}

# it_running PID: the process exists and is not a zombie.
it_running() {
	kill -0 "$1" 2>/dev/null || return 1
	[ -r "/proc/$1/stat" ] || return 0
	case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) in
	Z*|'') return 1 ;;
	esac
	return 0
}

# it_dovecot_stop: stops the Dovecot of this test, if running, and waits
# until its master process is gone (it stops its children first; it takes
# about 1 s, for the log process). The master runs as a daemon, a child of
# init, which may take a moment to reap it: it is waited for a little, so
# that pgrep finds nothing afterwards.
it_dovecot_stop() {
	pidfile=$IT_DC/run/master.pid
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill "$pid" 2>/dev/null
	n=0
	while it_running "$pid"; do
		n=$((n + 1))
		if [ "$n" -gt 100 ]; then
			echo "it_dovecot_stop: dovecot $pid ignores SIGTERM; killing it"
			kill -9 "$pid" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	n=0
	while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 30 ]; do
		n=$((n + 1))
		sleep 0.1
	done
	# Login and imap processes of open sessions outlive the master (the
	# TLS proxy keeps them): end them too, as a crash or reboot would.
	pkill -KILL -f "^dovecot-fu-it-${IT##*.}/" 2>/dev/null
	n=0
	while pgrep -f "^dovecot-fu-it-${IT##*.}/" >/dev/null && [ "$n" -lt 30 ]; do
		n=$((n + 1))
		sleep 0.1
	done
	rm -f "$pidfile"
}

it_dovecot_restart() {
	it_dovecot_stop
	it_dovecot_start
}

# The log: it_dovecot_log_mark makes the searches skip what is there now.
it_dovecot_log_mark() {
	IT_LOG_MARK=0
	[ -f "$IT_DC_LOG" ] && IT_LOG_MARK=$(wc -c <"$IT_DC_LOG")
}
it_dovecot_log_has() {
	[ -f "$IT_DC_LOG" ] &&
	    tail -c +"$((IT_LOG_MARK + 1))" "$IT_DC_LOG" | grep -qF -- "$1"
}
it_dovecot_log_wait() {
	n=$(( ${2:-5} * 10 ))
	while [ "$n" -gt 0 ]; do
		it_dovecot_log_has "$1" && return 0
		n=$((n - 1))
		sleep 0.1
	done
	return 1
}

# ---- SMTP ------------------------------------------------------------------

# it_smtpd NAME ARGS...: starts tests/integration/smtpd.py (aiosmtpd) in
# $IT/NAME with jane's password; sets its port in $PORT. Stop it with
# it_smtpd_stop_all (or the caller's trap).
it_smtpd() {
	name=$1; shift
	mkdir -p "$IT/$name"
	printf '%s\n' "$IT_PASS" >"$IT/$name/password"
	PORT=$(it_free_port)
	/usr/bin/python3 "$SRCDIR/tests/integration/smtpd.py" "$IT/$name" "$PORT" "$@" \
	    >"$IT/$name/stderr" 2>&1 &
	echo $! >"$IT/$name/pid"
	it_smtpd_ready() { [ -f "$IT/$name/ready" ]; }
	wait_for 10 it_smtpd_ready || fail "smtpd $name did not start: $(cat "$IT/$name/stderr")"
}

# ---- followupd's configuration -------------------------------------------

# it_smtp_config PORT: appends an [smtp] section for jane on 127.0.0.1:PORT
# (STARTTLS, trusting the test CA) to $FOLLOWUPD_CONFIG, with her password
# in $IT/smtp.pass.
it_smtp_config() {
	(umask 077; printf '%s\n' "$IT_PASS" >"$IT/smtp.pass")
	printf '%s\n' '' '[smtp]' "url = smtp://127.0.0.1:$1" 'user = jane' \
	    "password_file = $IT/smtp.pass" "ca_file = $IT/tls/ca.pem" >>"$FOLLOWUPD_CONFIG"
}

# it_config_set KEY VALUE: sets KEY in [followupd] (after timezone).
it_config_set() {
	sed -i "s|^timezone = \(.*\)\$|timezone = \\1\\n$1 = $2|" "$FOLLOWUPD_CONFIG"
}

# it_config [LINE...]: a configuration for jane's account on 127.0.0.1 over
# imaps, trusting the test CA; LINEs (contact sections...) are appended.
it_config() {
	(umask 077; printf '%s\n' "$IT_PASS" >"$IT/imap.pass")
	{
		printf '%s\n' \
		    '[followupd]' \
		    'me = Jane <jane@example.org>' \
		    'timezone = UTC' \
		    '' \
		    '[imap]' \
		    "url = imaps://127.0.0.1:$IT_IMAPS_PORT" \
		    "user = $IT_USER" \
		    "password_file = $IT/imap.pass" \
		    "ca_file = $IT/tls/ca.pem" \
		    ''
		for line in "$@"; do
			printf '%s\n' "$line"
		done
	} >"$FOLLOWUPD_CONFIG"
}
