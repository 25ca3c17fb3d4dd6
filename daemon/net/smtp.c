#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "clean.h"
#include "curlcancel.h"
#include "secret.h"
#include "smtp.h"

struct upload {
	const char *data;
	size_t len, off;
};

static size_t
read_cb(char *out, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(out, u->data + u->off, n);
	u->off += n;
	return n;
}

/* The server's words, printable, without the code. */
static char *
reply_text(const char *errbuf, CURLcode rc)
{
	const char *s = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	struct buf b = { 0 };

	clean_append(&b, s, strnlen(s, 200));
	return buf_take(&b);
}

enum smtp_rc
smtp_send(const struct server *sv, const char *from, const char *rcpt,
    const char *msg, size_t len, const atomic_bool *cancel, int *code, char **err)
{
	long timeout = sv->timeout > 0 ? sv->timeout : SERVER_TIMEOUT;
	char errbuf[CURL_ERROR_SIZE] = "", *secret = NULL, *serr = NULL, *why;
	struct upload u = { msg, len, 0 };
	struct curl_slist *to = NULL;
	enum smtp_rc result = SMTP_OK;
	long resp = 0;
	int src;
	CURL *c;
	CURLcode rc;

	*code = 0;
	if ((src = secret_fetch(sv, &secret, &serr)) < 0) {
		*err = serr;
		return src == SECRET_TEMP ? SMTP_TEMP : SMTP_FINAL;
	}
	c = curl_easy_init();
	if (c == NULL) {
		secret_free(secret);
		*err = xstrdup("cannot start libcurl");
		return SMTP_TEMP;
	}
	to = curl_slist_append(to, rcpt);
	curl_easy_setopt(c, CURLOPT_URL, sv->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SMTP_SEND_MAX);
	curlcancel_set(c, cancel);
	if (sv->tls_verify) {
		/* STARTTLS or nothing; never CURLUSESSL_TRY. */
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
		if (sv->ca_file != NULL && *sv->ca_file != '\0') {
			/* CAINFO replaces the bundle; the system store stays as CAPATH. */
			curl_easy_setopt(c, CURLOPT_CAINFO, sv->ca_file);
			curl_easy_setopt(c, CURLOPT_CAPATH, "/etc/ssl/certs");
		}
	} else {
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_NONE);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(c, CURLOPT_USERNAME, sv->user);
	if (sv->auth == AUTH_OAUTH2) {
		curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, secret);
	} else {
		curl_easy_setopt(c, CURLOPT_PASSWORD, secret);
		if (sv->auth == AUTH_PLAIN)
			curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, "AUTH=PLAIN");
		else if (sv->auth == AUTH_LOGIN)
			curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, "AUTH=LOGIN");
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp);
	*code = (int)resp;
	why = rc != CURLE_OK ? reply_text(errbuf, rc) : NULL;
	/* The server's own answer decides, at whatever stage it came: libcurl
	 * reports a 5xx to MAIL FROM or RCPT TO as CURLE_SEND_ERROR, the code
	 * of a broken connection. */
	if (rc != CURLE_OK && rc != CURLE_LOGIN_DENIED && resp >= 400 && resp < 600) {
		*err = xasprintf("the server refused the message: %s (reply %ld)", why, resp);
		result = resp < 500 ? SMTP_TEMP : SMTP_FINAL;
		rc = CURLE_OK;
	}
	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		*err = xasprintf("TLS certificate for %s is not trusted (%s)", sv->host, why);
		result = SMTP_FINAL;
		break;
	case CURLE_USE_SSL_FAILED:
		*err = xasprintf("%s:%d does not offer STARTTLS; refusing to log in without TLS",
		    sv->host, sv->port);
		result = SMTP_FINAL;
		break;
	case CURLE_LOGIN_DENIED:
		*err = xasprintf("login failed: %s", why);
		result = SMTP_FINAL;
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SSL_CONNECT_ERROR:
		*err = xasprintf("cannot deliver through %s:%d: %s", sv->host, sv->port, why);
		result = SMTP_TEMP;
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		*err = xasprintf("sending through %s:%d was stopped", sv->host, sv->port);
		result = SMTP_TEMP;
		break;
	default:
		/* The server said no: 4xx is for later, 5xx for good. */
		*err = xasprintf("the server refused the message: %s", why);
		result = resp >= 400 && resp < 500 ? SMTP_TEMP : SMTP_FINAL;
		break;
	}
	free(why);
	secret_free(secret);
	curl_slist_free_all(to);
	curl_easy_cleanup(c);
	return result;
}
