/* curlcancel: a libcurl transfer that a flag ends, within a second, from
 * another thread (the engine stopping a worker): shared by smtp and
 * calfetch. */
#ifndef FOLLOWUPD_CURLCANCEL_H
#define FOLLOWUPD_CURLCANCEL_H

#include <stdatomic.h>

#include <curl/curl.h>

/* Makes c's transfer end with CURLE_ABORTED_BY_CALLBACK once *cancel is
 * true (libcurl asks at least once a second). cancel NULL: nothing. */
void curlcancel_set(CURL *c, const atomic_bool *cancel);

#endif
