/* davxml: multistatus answers as real CalDAV servers write them (their
 * prefixes, their escaping), deleted resources, bounds, and hostile XML. */
#include "testutil.h"

#include <libxml/parser.h>
#include <unistd.h>

#include "davxml.h"

static struct dav_list
parse_ok(const char *xml)
{
	struct dav_list l = { 0 };
	char *err = NULL;

	if (davxml_parse(xml, strlen(xml), &l, &err) != 0)
		fail_msg("%s", err);
	assert_null(err);
	return l;
}

static char *
parse_fail(const char *xml)
{
	struct dav_list l = { (struct dav_item *)1, 7 };
	char *err = NULL;

	assert_int_equal(davxml_parse(xml, strlen(xml), &l, &err), -1);
	assert_non_null(err);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	return err;
}

#define VCAL_LF "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nEND:VCALENDAR\n"
#define VCAL_CRLF "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\n" \
	"END:VEVENT\r\nEND:VCALENDAR\r\n"

/* Radicale 3.1.8 as it answered a calendar-multiget (default namespace
 * DAV:, C: for CalDAV, the missing href first, a SHA-256 ETag, raw CR LF,
 * which XML makes LF). */
static void
test_radicale(void **unused)
{
	struct dav_list l;

	(void)unused;
	l = parse_ok("<?xml version='1.0' encoding='utf-8'?>\n"
	    "<multistatus xmlns=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
	    "<response><href>/jane/cal/gone.ics</href>"
	    "<status>HTTP/1.1 404 Not Found</status></response>"
	    "<response><href>/jane/cal/a.ics</href><propstat><prop>"
	    "<getetag>\"85f22bf83e67e8b7f3a27a3925342d0adb41603ae6f905b02a8fbc58ebb42726\"</getetag>"
	    "<C:calendar-data>BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n</C:calendar-data>"
	    "</prop><status>HTTP/1.1 200 OK</status></propstat></response>"
	    "</multistatus>");
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].href, "/jane/cal/gone.ics");
	assert_null(l.v[0].etag);
	assert_null(l.v[0].data);
	assert_int_equal(l.v[0].status, 404);
	assert_string_equal(l.v[1].href, "/jane/cal/a.ics");
	assert_string_equal(l.v[1].etag,
	    "\"85f22bf83e67e8b7f3a27a3925342d0adb41603ae6f905b02a8fbc58ebb42726\"");
	assert_int_equal(l.v[1].status, 200);
	assert_string_equal(l.v[1].data, VCAL_LF);
	assert_int_equal(l.v[1].len, strlen(VCAL_LF));
	dav_list_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
}

/* Nextcloud (Sabre/DAV): d: and cal:, quotes as &quot;, CR as &#13;, what
 * it lacks listed in a 404 propstat. */
static void
test_sabre(void **unused)
{
	struct dav_list l;

	(void)unused;
	l = parse_ok("<?xml version=\"1.0\"?>\n"
	    "<d:multistatus xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\" "
	    "xmlns:cal=\"urn:ietf:params:xml:ns:caldav\" xmlns:cs=\"http://calendarserver.org/ns/\" "
	    "xmlns:oc=\"http://owncloud.org/ns\" xmlns:nc=\"http://nextcloud.org/ns\">"
	    "<d:response><d:href>/remote.php/dav/calendars/jane/personal/A%20B.ics</d:href>"
	    "<d:propstat><d:prop><d:getetag>&quot;5f1c2d0e9a7b&quot;</d:getetag>"
	    "<cal:calendar-data>BEGIN:VCALENDAR&#13;\nVERSION:2.0&#13;\nBEGIN:VEVENT&#13;\n"
	    "UID:a&#13;\nEND:VEVENT&#13;\nEND:VCALENDAR&#13;\n</cal:calendar-data>"
	    "</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
	    /* found, but without calendar-data */
	    "<d:response><d:href>/remote.php/dav/calendars/jane/personal/b.ics</d:href>"
	    "<d:propstat><d:prop><d:getetag>&quot;b&quot;</d:getetag></d:prop>"
	    "<d:status>HTTP/1.1 200 OK</d:status></d:propstat>"
	    "<d:propstat><d:prop><cal:calendar-data/></d:prop>"
	    "<d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>"
	    /* a multiget href that is no more */
	    "<d:response><d:href>/remote.php/dav/calendars/jane/personal/c.ics</d:href>"
	    "<d:propstat><d:prop><d:getetag/><cal:calendar-data/></d:prop>"
	    "<d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>"
	    "</d:multistatus>");
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].href, "/remote.php/dav/calendars/jane/personal/A%20B.ics");
	assert_string_equal(l.v[0].etag, "\"5f1c2d0e9a7b\"");
	assert_string_equal(l.v[0].data, VCAL_CRLF);
	assert_int_equal(l.v[0].status, 200);
	assert_string_equal(l.v[1].etag, "\"b\"");
	assert_null(l.v[1].data);
	assert_int_equal(l.v[1].status, 200);
	assert_null(l.v[2].etag);
	assert_null(l.v[2].data);
	assert_int_equal(l.v[2].status, 404);
	dav_list_free(&l);
}

/* iCloud: the default namespace, redeclared on each property, CDATA. */
static void
test_icloud(void **unused)
{
	struct dav_list l;

	(void)unused;
	l = parse_ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<multistatus xmlns=\"DAV:\">\n"
	    "  <response>\n"
	    "    <href>/1234567/calendars/home/E1.ics</href>\n"
	    "    <propstat>\n"
	    "      <prop>\n"
	    "        <getetag xmlns=\"DAV:\">\"C=101@U=0f2e\"</getetag>\n"
	    "        <calendar-data xmlns=\"urn:ietf:params:xml:ns:caldav\"><![CDATA["
	    VCAL_CRLF "]]></calendar-data>\n"
	    "      </prop>\n"
	    "      <status>HTTP/1.1 200 OK</status>\n"
	    "    </propstat>\n"
	    "  </response>\n"
	    "</multistatus>\n");
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].href, "/1234567/calendars/home/E1.ics");
	assert_string_equal(l.v[0].etag, "\"C=101@U=0f2e\"");
	/* XML makes a raw CR LF one LF, in CDATA too. */
	assert_string_equal(l.v[0].data, VCAL_LF);
	assert_int_equal(l.v[0].status, 200);
	dav_list_free(&l);
}

/* Google: D: and caldav:, the status before the prop, pretty-printed
 * calendar-data with &lt; and &amp; in it. */
static void
test_google(void **unused)
{
	struct dav_list l;

	(void)unused;
	l = parse_ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<D:multistatus xmlns:D=\"DAV:\" xmlns:caldav=\"urn:ietf:params:xml:ns:caldav\" "
	    "xmlns:cs=\"http://calendarserver.org/ns/\" xmlns:ical=\"http://apple.com/ns/ical/\">"
	    "<D:response>"
	    "<D:href>\n   /caldav/v2/jane%40gmail.com/events/abc.ics\n</D:href>"
	    "<D:propstat><D:status>HTTP/1.1 200 OK</D:status>"
	    "<D:prop><D:getetag>\"63834872512\"</D:getetag>"
	    "<caldav:calendar-data>\n      BEGIN:VCALENDAR\nSUMMARY:R&amp;D &lt;weekly&gt;\n"
	    "END:VCALENDAR\n    </caldav:calendar-data></D:prop></D:propstat>"
	    "</D:response>"
	    "</D:multistatus>");
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].href, "/caldav/v2/jane%40gmail.com/events/abc.ics");
	assert_string_equal(l.v[0].etag, "\"63834872512\"");
	assert_string_equal(l.v[0].data,
	    "BEGIN:VCALENDAR\nSUMMARY:R&D <weekly>\nEND:VCALENDAR\n");
	assert_int_equal(l.v[0].status, 200);
	dav_list_free(&l);
}

/* A calendar-query answer: getetag only, any prefix; other namespaces'
 * elements of the same local name are not ours. */
static void
test_query(void **unused)
{
	struct dav_list l;

	(void)unused;
	l = parse_ok("<X:multistatus xmlns:X=\"DAV:\" xmlns:Y=\"urn:example\">"
	    "<X:response><X:href>/c/1.ics</X:href><Y:href>/not/this</Y:href>"
	    "<X:propstat><X:prop><Y:getetag>\"no\"</Y:getetag><X:getetag>\"1\"</X:getetag>"
	    "</X:prop><X:status>HTTP/1.1 200 OK</X:status></X:propstat></X:response>"
	    "<Y:response><X:href>/c/2.ics</X:href></Y:response>"
	    "<X:response><X:href>/c/3.ics</X:href><X:propstat><X:prop>"
	    "<X:getetag></X:getetag></X:prop><X:status>HTTP/1.1 200 OK</X:status>"
	    "</X:propstat></X:response>"
	    "</X:multistatus>");
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].href, "/c/1.ics");
	assert_string_equal(l.v[0].etag, "\"1\"");
	assert_null(l.v[0].data);
	assert_string_equal(l.v[1].href, "/c/3.ics");
	assert_null(l.v[1].etag);   /* empty is none */
	assert_int_equal(l.v[1].status, 200);
	dav_list_free(&l);
	/* An empty multistatus is an empty list. */
	l = parse_ok("<multistatus xmlns=\"DAV:\"/>");
	assert_int_equal(l.n, 0);
	dav_list_free(&l);
}

static void
test_missing_href(void **unused)
{
	struct dav_list l;

	(void)unused;
	l = parse_ok("<d:multistatus xmlns:d=\"DAV:\">"
	    "<d:response><d:propstat><d:prop><d:getetag>\"x\"</d:getetag></d:prop>"
	    "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
	    "<d:response><d:href>  </d:href><d:status>HTTP/1.1 404 Not Found</d:status>"
	    "</d:response>"
	    "<d:response><d:href>/ok.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status>"
	    "</d:response>"
	    "</d:multistatus>");
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].href, "/ok.ics");
	assert_int_equal(l.v[0].status, 404);
	dav_list_free(&l);
}

static void
test_not_multistatus(void **unused)
{
	char *err;

	(void)unused;
	err = parse_fail("Internal Server Error");
	assert_non_null(strstr(err, "not XML"));
	free(err);
	err = parse_fail("");
	free(err);
	err = parse_fail("<d:multistatus xmlns:d=\"DAV:\"><d:response>");
	assert_non_null(strstr(err, "not XML"));
	free(err);
	err = parse_fail("<html><body>Login</body></html>");
	assert_string_equal(err, "not a WebDAV multistatus (the root element is html)");
	free(err);
	/* the right name in no namespace, or another one */
	err = parse_fail("<multistatus><response><href>/a</href></response></multistatus>");
	free(err);
	err = parse_fail("<m:multistatus xmlns:m=\"DAV\"/>");
	free(err);
	/* An undeclared prefix is a namespace error, not well-formed. */
	err = parse_fail("<d:multistatus/>");
	free(err);
}

static void
test_status(void **unused)
{
	(void)unused;
	assert_int_equal(davxml_status("HTTP/1.1 200 OK"), 200);
	assert_int_equal(davxml_status("  HTTP/1.1 404 Not Found\n"), 404);
	assert_int_equal(davxml_status("HTTP/2 403"), 403);
	assert_int_equal(davxml_status("HTTP/1.1 2000 OK"), 0);
	assert_int_equal(davxml_status("HTTP/1.1 20"), 0);
	assert_int_equal(davxml_status("200 OK"), 0);
	assert_int_equal(davxml_status("HTTP/1.1 099 x"), 0);
	assert_int_equal(davxml_status(""), 0);
}

static char *
response_with_href(size_t len)
{
	struct buf b = { 0 };
	char *href = malloc(len + 1);

	memset(href, 'a', len);
	href[0] = '/';
	href[len] = '\0';
	buf_printf(&b, "<multistatus xmlns=\"DAV:\"><response><href>%s</href>"
	    "<status>HTTP/1.1 404 Not Found</status></response></multistatus>", href);
	free(href);
	return buf_take(&b);
}

static void
test_bounds(void **unused)
{
	struct buf b = { 0 };
	struct dav_list l;
	char *xml, etag[DAVXML_MAX_STR + 2];

	(void)unused;
	xml = response_with_href(DAVXML_MAX_STR);
	l = parse_ok(xml);
	assert_int_equal(l.n, 1);
	assert_int_equal(strlen(l.v[0].href), DAVXML_MAX_STR);
	dav_list_free(&l);
	free(xml);
	xml = response_with_href(DAVXML_MAX_STR + 1);
	l = parse_ok(xml);
	assert_int_equal(l.n, 0);
	dav_list_free(&l);
	free(xml);

	memset(etag, 'e', sizeof etag - 1);
	etag[sizeof etag - 1] = '\0';
	buf_printf(&b, "<multistatus xmlns=\"DAV:\"><response><href>/a</href><propstat><prop>"
	    "<getetag>%s</getetag></prop><status>HTTP/1.1 200 OK</status></propstat>"
	    "</response><response><href>/b</href></response></multistatus>", etag);
	l = parse_ok(buf_str(&b));
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].href, "/b");
	assert_int_equal(l.v[0].status, 0);
	dav_list_free(&l);
	buf_free(&b);
}

/* DAVXML_MAX_ITEMS responses pass; one more is an error. */
static void
test_many(void **unused)
{
	struct buf b = { 0 };
	struct dav_list l = { 0 };
	char *err = NULL;

	(void)unused;
	buf_puts(&b, "<multistatus xmlns=\"DAV:\">");
	for (int i = 0; i < DAVXML_MAX_ITEMS; i++)
		buf_puts(&b, "<response><href>/x</href></response>");
	buf_puts(&b, "</multistatus>");
	assert_int_equal(davxml_parse(b.data, b.len, &l, &err), 0);
	assert_int_equal(l.n, DAVXML_MAX_ITEMS);
	dav_list_free(&l);
	b.len -= strlen("</multistatus>");
	buf_puts(&b, "<response><href>/x</href></response></multistatus>");
	assert_int_equal(davxml_parse(b.data, b.len, &l, &err), -1);
	assert_string_equal(err, "more than 100000 responses");
	assert_null(l.v);
	free(err);
	buf_free(&b);
}

/* A billion laughs must neither blow up memory nor come back expanded. */
static void
test_billion_laughs(void **unused)
{
	static const char xml[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE d:multistatus [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    "<d:multistatus xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
	    "<d:response><d:href>/a&lol9;.ics</d:href><d:propstat><d:prop>"
	    "<d:getetag>\"&lol9;\"</d:getetag><c:calendar-data>X&lol9;Y</c:calendar-data>"
	    "</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
	    "</d:multistatus>";
	struct dav_list l = { 0 };
	char *err = NULL;
	int rc = davxml_parse(xml, sizeof xml - 1, &l, &err);

	(void)unused;
	/* libxml2 2.9.14 refuses it ("Detected an entity reference loop");
	 * another version may accept it, then with the references left out. */
	if (rc == 0) {
		assert_int_equal(l.n, 1);
		assert_string_equal(l.v[0].href, "/a.ics");
		assert_string_equal(l.v[0].etag, "\"\"");
		assert_string_equal(l.v[0].data, "XY");
		dav_list_free(&l);
	} else {
		assert_non_null(err);
		free(err);
	}
}

/* An entity of the document's own DTD is left out, not expanded. */
static void
test_internal_entity(void **unused)
{
	struct dav_list l;

	(void)unused;
	l = parse_ok("<!DOCTYPE multistatus [ <!ENTITY x \"EXPANDED\"> ]>"
	    "<multistatus xmlns=\"DAV:\"><response><href>/a&x;.ics</href><propstat><prop>"
	    "<getetag>\"&x;\"</getetag><calendar-data xmlns=\"urn:ietf:params:xml:ns:caldav\">"
	    "A&x;B&amp;&#67;</calendar-data></prop><status>HTTP/1.1 200 OK</status>"
	    "</propstat></response></multistatus>");
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].href, "/a.ics");
	assert_string_equal(l.v[0].etag, "\"\"");
	assert_string_equal(l.v[0].data, "AB&C");
	dav_list_free(&l);
}

/* An external entity is not read, nor a DTD from outside fetched. */
static void
test_external_entity(void **unused)
{
	char path[] = "/tmp/davxml-xxe-XXXXXX";
	int fd = mkstemp(path);
	struct buf b = { 0 };
	struct dav_list l = { 0 };
	char *err = NULL;
	int rc;

	(void)unused;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "TOPSECRET", 9), 9);
	close(fd);
	buf_printf(&b, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE d:multistatus SYSTEM \"http://127.0.0.1:9/dtd\" [\n"
	    " <!ENTITY xxe SYSTEM \"file://%s\">\n"
	    " <!ENTITY %% pe SYSTEM \"file://%s\"> %%pe;\n"
	    "]>\n"
	    "<d:multistatus xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
	    "<d:response><d:href>/a.ics</d:href><d:propstat><d:prop>"
	    "<d:getetag>\"1\"</d:getetag><c:calendar-data>[&xxe;]</c:calendar-data>"
	    "</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
	    "</d:multistatus>", path, path);
	rc = davxml_parse(b.data, b.len, &l, &err);
	unlink(path);
	if (rc == 0) {
		assert_int_equal(l.n, 1);
		assert_string_equal(l.v[0].data, "[]");
		dav_list_free(&l);
	} else {
		assert_null(strstr(err, "TOPSECRET"));
		free(err);
	}
	buf_free(&b);
}

static int
setup(void **unused)
{
	(void)unused;
	xmlInitParser();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_radicale),
		cmocka_unit_test(test_sabre),
		cmocka_unit_test(test_icloud),
		cmocka_unit_test(test_google),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_missing_href),
		cmocka_unit_test(test_not_multistatus),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_internal_entity),
		cmocka_unit_test(test_external_entity),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
