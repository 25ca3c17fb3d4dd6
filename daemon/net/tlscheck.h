/* tlscheck: verifies a server's certificate chain with GnuTLS, because
 * libetpan accepts any certificate for any name. The trust anchors are the
 * system store plus an optional CA file; the host name (or IP address) must
 * match. */
#ifndef FOLLOWUPD_TLSCHECK_H
#define FOLLOWUPD_TLSCHECK_H

#include <stddef.h>

struct tlscheck;

/* Loads the system trust store and ca_file (PEM; NULL for none). Returns
 * NULL with *err allocated when ca_file cannot be used. */
struct tlscheck *tlscheck_new(const char *ca_file, char **err);
void tlscheck_free(struct tlscheck *tc);

/* Verifies a chain (DER certificates, the server's first) for host.
 * Returns 0, or -1 with *err allocated: "TLS certificate for HOST is not
 * trusted (issuer unknown)", "... (it is for OTHER)", "(expired)", ... */
int tlscheck_verify(struct tlscheck *tc, const char *host,
    const unsigned char *const *der, const size_t *len, size_t n, char **err);

/* Why the last TLS handshake on this thread failed ("Peer has terminated
 * the connection"), or NULL; reading it forgets it. libetpan prints
 * GnuTLS's reason on stderr with gnutls_perror(), a line that is not
 * followupd's: tlscheck.c defines gnutls_perror, which the dynamic linker
 * then gives libetpan instead of GnuTLS's, and keeps the reason here for
 * the caller's message. */
const char *tlscheck_handshake_error(void);

#endif
