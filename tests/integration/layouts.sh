#!/bin/sh
# Mail server layouts other than Dovecot's default, on a real Dovecot:
# Courier's and Cyrus's "INBOX." prefix with "." as the separator and no
# SPECIAL-USE, where Sent is "INBOX.Sent Items" or "INBOX.Sent Messages"
# (found without case, the choice said when two match, and check --imap
# lists what was considered); folder names that are not ASCII, modified
# UTF-7 on the wire ("Éléments envoyés" is "&AMk-l&AOk-ments envoy&AOk-s"),
# configured and found, shown as the mail program shows them; and a
# server that says LOGINDISABLED before TLS, refused before any password.
. "$SRCDIR/tests/integration/lib.sh"

it_certs >/dev/null
mail() {   # mail FILE TO ID: a sent message
	printf 'To: %s\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s@example.org>\r\nSubject: hi\r\n\r\nHi\r\n' "$2" "$3" >"$1"
}
ELEMENTS='INBOX.&AMk-l&AOk-ments envoy&AOk-s'   # INBOX.Éléments envoyés

# ---- 1. Courier / Cyrus: "INBOX." prefix, "." separator, no SPECIAL-USE ------
it_dovecot_start 'namespace inbox {' '  separator = .' '  prefix = INBOX.' \
    '  mailbox Sent {' '    special_use =' '    auto = no' '  }' \
    '  mailbox Drafts {' '    special_use =' '  }' '}'
it_config '[contact:alice]' 'email = alice@example.com'
imapctl list >"$IT/list" || fail "imapctl list"
grep -q '"\." "\{0,1\}INBOX\.Drafts' "$IT/list" || fail "not the Courier layout: $(cat "$IT/list")"
! grep -q 'Sent' "$IT/list" || fail "a Sent folder already: $(cat "$IT/list")"
imapctl create "INBOX.Sent Items" >/dev/null || fail "create INBOX.Sent Items"
mail "$IT/a.eml" "Alice <alice@example.com>" items-1
imapctl append "INBOX.Sent Items" "$IT/a.eml" >/dev/null || fail "append"
expect 0 sync
has "$T/out" "imap jane: INBOX.Sent Items: 1 new message, 1 follow-up recorded"
! grep -q 'look like the Sent folder' "$T/err" || fail "a choice said with one candidate: $(cat "$T/err")"

# Two candidates: the likelier is read, the other named for sent_folder.
imapctl create "INBOX.sent messages" >/dev/null || fail "create INBOX.sent messages"
expect 0 sync
has "$T/out" "imap jane: INBOX.Sent Items: 0 new messages"
has "$T/err" "imap jane: both \"INBOX.Sent Items\" and \"INBOX.sent messages\" look like the Sent folder: reading \"INBOX.Sent Items\"; to read the other, set sent_folder = INBOX.sent messages"

# check --imap lists the folders considered and the choice.
expect 0 check --imap
has "$T/out" "imap jane: folders considered for Sent:"
has "$T/out" "  INBOX.Sent Items: named like Sent: chosen"
has "$T/out" "  INBOX.sent messages: named like Sent, but less likely"
has "$T/out" "  INBOX.Drafts: not Sent"
has "$T/out" "imap jane: Sent folder: INBOX.Sent Items"

# ---- 2. names that are not ASCII -------------------------------------------
# Configured as the mail program shows it.
imapctl create "$ELEMENTS" >/dev/null || fail "create $ELEMENTS"
mail "$IT/b.eml" "alice@example.com" elements-1
imapctl append "$ELEMENTS" "$IT/b.eml" >/dev/null || fail "append to $ELEMENTS"
sed -i '/^ca_file = /a sent_folder = INBOX.Éléments envoyés' "$FOLLOWUPD_CONFIG"
expect 0 sync
has "$T/out" "imap jane: INBOX.Éléments envoyés: 1 new message, 1 follow-up recorded"
expect 0 check --imap
has "$T/out" "imap jane: Sent folder: INBOX.Éléments envoyés (sent_folder)"
# As the server spells it, as one had to before: the same folder.
sed -i 's/^sent_folder = .*/sent_folder = INBOX.\&AMk-l\&AOk-ments envoy\&AOk-s/' "$FOLLOWUPD_CONFIG"
expect 0 sync
has "$T/out" "imap jane: INBOX.Éléments envoyés: 0 new messages"
# Found by its name, and shown decoded.
sed -i '/^sent_folder = /d' "$FOLLOWUPD_CONFIG"
imapctl delete "INBOX.Sent Items" >/dev/null || fail "delete INBOX.Sent Items"
imapctl delete "INBOX.sent messages" >/dev/null || fail "delete INBOX.sent messages"
rm -rf "$XDG_STATE_HOME"
expect 0 sync
has "$T/out" "imap jane: INBOX.Éléments envoyés: 1 new message, 1 follow-up recorded"
! grep -q '&AMk-' "$T/out" "$T/err" || fail "a name shown in modified UTF-7: $(cat "$T/out" "$T/err")"
# A name that does not exist: Dovecot's answer, the name as written.
sed -i '/^ca_file = /a sent_folder = INBOX.Gesendete Objekte' "$FOLLOWUPD_CONFIG"
expect 69 sync
has "$T/err" "imap jane: cannot open folder \"INBOX.Gesendete Objekte\": "
sed -i '/^sent_folder = /d' "$FOLLOWUPD_CONFIG"

# ---- 3. SPECIAL-USE on a name that is not ASCII ------------------------------
it_dovecot_stop
it_dovecot_write_conf 'namespace inbox {' '  mailbox Sent {' '    special_use =' '    auto = no' '  }' \
    '  mailbox "Éléments envoyés" {' '    special_use = \Sent' '    auto = create' '  }' '}'
it_dovecot_start
imapctl list >"$IT/list" || fail "imapctl list"
grep -q 'Sent.*"&AMk-l&AOk-ments envoy&AOk-s"' "$IT/list" || fail "no \\Sent on Éléments envoyés: $(cat "$IT/list")"
# (the same maildir folder as INBOX.Éléments envoyés above, one message)
rm -rf "$XDG_STATE_HOME"
expect 0 sync
has "$T/out" "imap jane: Éléments envoyés: 1 new message, 1 follow-up recorded"
expect 0 check --imap
has "$T/out" "  Éléments envoyés: flagged \\Sent (SPECIAL-USE): chosen"

# ---- 4. LOGINDISABLED before TLS: no password sent ---------------------------
it_dovecot_stop
it_dovecot_write_conf 'disable_plaintext_auth = yes'
it_dovecot_start
it_caps 127.0.0.2 >"$IT/caps" || fail "CAPABILITY on 127.0.0.2"
has "$IT/caps" LOGINDISABLED
has "$IT/caps" STARTTLS
sed -i "s|^url = .*|url = imap://127.0.0.2:$IT_IMAP_PORT|" "$FOLLOWUPD_CONFIG"
sed -i "/^user = /a tls = none" "$FOLLOWUPD_CONFIG"
it_dovecot_log_mark
expect 69 sync
has "$T/err" "imap jane: 127.0.0.2:$IT_IMAP_PORT refuses to log in without TLS (LOGINDISABLED); use imaps:// or STARTTLS (remove tls = none)"
it_dovecot_log_wait "no auth attempts" 5 || fail "Dovecot did not log a connection without login: $(cat "$IT_DC_LOG")"
! it_dovecot_log_has "plaintext" || fail "a password was sent in plain text: $(cat "$IT_DC_LOG")"
! it_dovecot_log_has "auth failed" || fail "a login was tried"
# Over STARTTLS, the same server lets jane in.
sed -i '/^tls = none/d' "$FOLLOWUPD_CONFIG"
sed -i "s|^url = .*|url = imap://127.0.0.1:$IT_IMAP_PORT|" "$FOLLOWUPD_CONFIG"
expect 0 sync
has "$T/out" "imap jane: Sent: 0 new messages"

done_tests
