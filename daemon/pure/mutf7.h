/* mutf7: IMAP's modified UTF-7 for mailbox names (RFC 3501 5.1.3), to and
 * from UTF-8. Pure.
 *
 * A folder name is written in followupd's configuration and shown in its
 * messages as the mail program shows it ("Éléments envoyés"); on the wire
 * it is "&AMk-l&AOk-ments envoy&AOk-s". Decoding is strict, so that a
 * decoded name always encodes back to the very bytes the server sent. */
#ifndef FOLLOWUPD_MUTF7_H
#define FOLLOWUPD_MUTF7_H

/* The modified UTF-7 form of a UTF-8 name, allocated; NULL with *err
 * (allocated) when s is not valid UTF-8. */
char *mutf7_encode(const char *s, char **err);

/* The UTF-8 form of a modified UTF-7 name, allocated; NULL with *err
 * (allocated) when s is malformed: a byte outside printable US-ASCII, an
 * '&' that starts no shift (a literal '&' is "&-"), a shift that does not
 * end in '-', a character outside modified base64, bits left over that are
 * not zero padding, a broken UTF-16 surrogate pair, U+0000, or an encoding
 * that is not the only one allowed (printable ASCII inside a shift, two
 * shifts side by side, extra base64 characters). */
char *mutf7_decode(const char *s, char **err);

#endif
