#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "buf.h"
#include "clean.h"
#include "tlscheck.h"

struct tlscheck {
	gnutls_x509_trust_list_t list;
};

static _Thread_local int handshake_rc;

/* Takes the place of GnuTLS's own for libetpan (see tlscheck.h). */
void
gnutls_perror(int error)
{
	handshake_rc = error != 0 ? error : GNUTLS_E_INTERNAL_ERROR;
}

const char *
tlscheck_handshake_error(void)
{
	int rc = handshake_rc;

	handshake_rc = 0;
	return rc != 0 ? gnutls_strerror(rc) : NULL;
}

struct tlscheck *
tlscheck_new(const char *ca_file, char **err)
{
	struct tlscheck *tc = xcalloc(1, sizeof *tc);
	int rc;

	if (gnutls_x509_trust_list_init(&tc->list, 0) < 0) {
		free(tc);
		*err = xstrdup("TLS: cannot create a trust list");
		return NULL;
	}
	/* A machine without a system store still works with ca_file. */
	(void)gnutls_x509_trust_list_add_system_trust(tc->list, 0, 0);
	if (ca_file != NULL && *ca_file != '\0') {
		rc = gnutls_x509_trust_list_add_trust_file(tc->list, ca_file, NULL,
		    GNUTLS_X509_FMT_PEM, 0, 0);
		if (rc <= 0) {
			*err = rc < 0 ?
			    xasprintf("ca_file %s: %s", ca_file, gnutls_strerror(rc)) :
			    xasprintf("ca_file %s: no certificate in it", ca_file);
			tlscheck_free(tc);
			return NULL;
		}
	}
	return tc;
}

void
tlscheck_free(struct tlscheck *tc)
{
	if (tc == NULL)
		return;
	gnutls_x509_trust_list_deinit(tc->list, 1);
	free(tc);
}

/* The names a certificate is for, for the mismatch message. */
static char *
cert_names(gnutls_x509_crt_t crt)
{
	struct buf b = { 0 };
	char *names;

	for (unsigned i = 0; i < 8; i++) {
		char name[256];
		size_t size = sizeof name - 1;
		unsigned critical;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, i, name, &size, &critical);

		if (type < 0)
			break;
		if (type == GNUTLS_SAN_DNSNAME) {
			name[size] = '\0';
			buf_printf(&b, "%s%s", b.len ? ", " : "", name);
		} else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16)) {
			char text[INET6_ADDRSTRLEN];

			if (inet_ntop(size == 4 ? AF_INET : AF_INET6, name, text,
			    sizeof text) != NULL)
				buf_printf(&b, "%s%s", b.len ? ", " : "", text);
		}
	}
	if (b.len == 0) {
		char dn[256];
		size_t size = sizeof dn;

		if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
		    0, dn, &size) == 0)
			buf_puts(&b, dn);
		else
			buf_puts(&b, "no name");
	}
	/* The names are the server's to choose: made safe to print. */
	names = buf_take(&b);
	clean_inplace(names);
	return names;
}

int
tlscheck_verify(struct tlscheck *tc, const char *host,
    const unsigned char *const *der, const size_t *len, size_t n, char **err)
{
	gnutls_x509_crt_t *chain;
	gnutls_typed_vdata_st data[2];
	unsigned status = 0, nimported = 0;
	const char *why = NULL;
	char *names = NULL;
	int rc = -1;

	if (n == 0) {
		*err = xasprintf("TLS: the server at %s sent no certificate", host);
		return -1;
	}
	if (n > 16)
		n = 16;
	chain = xcalloc(n, sizeof *chain);
	for (; nimported < n; nimported++) {
		gnutls_datum_t d = { (unsigned char *)der[nimported], (unsigned)len[nimported] };

		if (gnutls_x509_crt_init(&chain[nimported]) < 0 ||
		    gnutls_x509_crt_import(chain[nimported], &d, GNUTLS_X509_FMT_DER) < 0) {
			*err = xasprintf("TLS certificate for %s cannot be read", host);
			nimported++;
			goto done;
		}
	}
	memset(data, 0, sizeof data);
	data[0].type = GNUTLS_DT_DNS_HOSTNAME;
	data[0].data = (unsigned char *)host;
	data[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	data[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	if (gnutls_x509_trust_list_verify_crt2(tc->list, chain, (unsigned)n, data, 2,
	    0, &status, NULL) < 0) {
		*err = xasprintf("TLS certificate for %s cannot be verified", host);
		goto done;
	}
	if (status == 0) {
		rc = 0;
		goto done;
	}
	if (status & GNUTLS_CERT_UNEXPECTED_OWNER) {
		names = cert_names(chain[0]);
		*err = xasprintf("TLS certificate for %s is not valid for that name (it is for %s)",
		    host, names);
		goto done;
	}
	if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
		why = "issuer unknown";
	else if (status & GNUTLS_CERT_EXPIRED)
		why = "expired";
	else if (status & GNUTLS_CERT_NOT_ACTIVATED)
		why = "not yet valid";
	else if (status & GNUTLS_CERT_REVOKED)
		why = "revoked";
	else if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		why = "insecure algorithm";
	else if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
		why = "not for a server";
	else
		why = "invalid";
	*err = xasprintf("TLS certificate for %s is not trusted (%s)", host, why);
done:
	for (unsigned i = 0; i < nimported; i++)
		gnutls_x509_crt_deinit(chain[i]);
	free(chain);
	free(names);
	return rc;
}
