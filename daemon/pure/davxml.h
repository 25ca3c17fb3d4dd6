/* davxml: the WebDAV multistatus answers (RFC 4918) of a CalDAV server's
 * REPORTs (RFC 4791 calendar-query and calendar-multiget), read with
 * libxml2: for each response, its href, getetag and calendar-data. Pure:
 * parses a buffer; the network is never touched (no DTD, no entity
 * expansion, no external loads).
 *
 * Elements are matched by namespace and local name (DAV: and
 * urn:ietf:params:xml:ns:caldav), whatever prefixes the server chose.
 *
 * libxml2 has process-wide state: the program's main must call
 * xmlInitParser() once, before any thread starts, and may call
 * xmlCleanupParser() once at exit when no thread uses libxml2 any more.
 * davxml itself keeps no state between calls and can then be used from
 * several threads at once. */
#ifndef FOLLOWUPD_DAVXML_H
#define FOLLOWUPD_DAVXML_H

#include <stddef.h>

/* Bounds: more than DAVXML_MAX_ITEMS responses is an error (a silently
 * shortened list would look like deleted events); an href or an ETag of
 * more than DAVXML_MAX_STR bytes makes its response skipped. libxml2
 * itself refuses a text (a calendar-data) over 10 MB and nesting deeper
 * than 256 elements. */
#define DAVXML_MAX_ITEMS 100000
#define DAVXML_MAX_STR 2048

struct dav_item {
	char *href;            /* as sent, percent-encoding kept, blanks
	                        * around it trimmed */
	char *etag;            /* with its quotes, or NULL when none */
	char *data;            /* calendar-data, or NULL when none */
	size_t len;            /* of data */
	int status;            /* the HTTP status of the propstat with the
	                        * properties (200), or of the response (404);
	                        * 0 when the server gave none */
};

struct dav_list {
	struct dav_item *v;
	size_t n;
};

/* Parses a multistatus body. 0, or -1 with *err (allocated) when it is
 * not one. Responses without an href are skipped. getetag and
 * calendar-data are taken from a propstat whose status is 2xx only (a
 * server lists what it does not have under a 404 propstat). Entity
 * references other than the five predefined ones and character
 * references are left out of the text, not expanded. calendar-data keeps
 * its line ends as XML delivers them: a CR the server did not write as
 * &#13; has become part of a plain LF. Leading blanks and trailing spaces
 * and tabs (pretty-printing) are dropped. */
int davxml_parse(const char *body, size_t len, struct dav_list *out, char **err);
/* Frees the items and empties l (it can be filled again). */
void dav_list_free(struct dav_list *l);
/* "HTTP/1.1 404 Not Found" -> 404; 0 when it is not a status line. */
int davxml_status(const char *line);

#endif
