/* calfetch: addresses as messages show them, the refusals that need no
 * server, and a directory of .ics files with what must stay out of it
 * (links, hidden names, other files, a second level, a file too large).
 * The CalDAV and .ics requests themselves are tested against Radicale by
 * the integration tests. */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calfetch.h"

static void
redacts(const char *url, const char *want)
{
	char *got = calfetch_url_redact(url);

	assert_string_equal(got, want);
	free(got);
}

static void
test_redact(void **unused)
{
	(void)unused;
	/* Google's secret address: the secret is in the middle of the path. */
	redacts("https://calendar.google.com/calendar/ical/xxx%40group.calendar.google.com/"
	    "private-0123456789abcdef0123456789abcdef/basic.ics",
	    "https://calendar.google.com/…/basic.ics");
	/* userinfo, query and fragment go; the port and a trailing / stay */
	redacts("https://jane:hunter2@dav.example.com:8443/dav/jane/cal/?token=x#f",
	    "https://dav.example.com:8443/…/cal/");
	redacts("https://jane@h.example/cal.ics?token=SECRET", "https://h.example/cal.ics");
	redacts("https://j:p@ss@h.example/a.ics", "https://h.example/a.ics");
	redacts("https://dav.example.com", "https://dav.example.com/");
	redacts("https://dav.example.com/", "https://dav.example.com/");
	redacts("https://dav.example.com?x=1", "https://dav.example.com/");
	redacts("https://h.example//a//b//", "https://h.example/…/b/");
	redacts("http://127.0.0.1:5232/jane/cal/", "http://127.0.0.1:5232/…/cal/");
	/* a raw '@' in the path is not userinfo */
	redacts("https://h.example/dav/calendars/jane@example.com/work/",
	    "https://h.example/…/work/");
	/* A published iCloud calendar ends in its secret. */
	redacts("webcal://p12-caldav.icloud.com/published/2/"
	    "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MA",
	    "webcal://p12-caldav.icloud.com/…/…");
	redacts("https://h.example/0123456789012345678901234567890123456789",
	    "https://h.example/0123456789012345678901234567890123456789");
	redacts("https://h.example/01234567890123456789012345678901234567890",
	    "https://h.example/…");
	/* control characters never reach a log line */
	redacts("https://h.example/a\nb.ics", "https://h.example/a?b.ics");
	redacts("calendar.ics", "(an address that is not a URL)");
	redacts("/a/b://c", "(an address that is not a URL)");
	redacts("", "(an address that is not a URL)");
}

/* Refusals libcurl makes before any byte is sent. */
static void
test_protocols(void **unused)
{
	struct meet_source src = { .name = "t", .kind = MSRC_ICS };
	char *body = NULL, *etag = NULL, *err = NULL;
	size_t len;

	(void)unused;
	src.server.tls_verify = true;
	src.server.timeout = 5;
	src.server.url = "ftp://127.0.0.1:1/cal.ics";
	assert_int_equal(calfetch_ics(&src, NULL, NULL, NULL, &body, &len, &etag, &err),
	    CALF_FINAL);
	assert_non_null(strstr(err, "ftp://127.0.0.1:1/cal.ics: "));
	assert_non_null(strstr(err, "only https is allowed"));
	assert_null(body);
	free(err);
	/* http only with tls = none (loopback, which the config checks) */
	src.server.url = "http://jane:pw@127.0.0.1:1/private-SECRETSECRET/cal.ics";
	assert_int_equal(calfetch_ics(&src, "pw", NULL, NULL, &body, &len, &etag, &err),
	    CALF_FINAL);
	assert_null(strstr(err, "SECRET"));
	assert_null(strstr(err, "pw"));
	free(err);
	src.server.tls_verify = false;
	/* nothing listens on port 1: later */
	assert_int_equal(calfetch_ics(&src, "pw", NULL, NULL, &body, &len, &etag, &err),
	    CALF_TEMP);
	assert_non_null(strstr(err, "http://127.0.0.1:1/…/cal.ics: "));
	assert_null(strstr(err, "SECRET"));
	free(err);
}

struct tree {
	char dir[64];
	char outside[64];
};

static void
put(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static void
mkdir_in(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);

	assert_int_equal(mkdir(path, 0700), 0);
	free(path);
}

static void
link_in(const char *dir, const char *name, const char *target)
{
	char *path = xasprintf("%s/%s", dir, name);

	assert_int_equal(symlink(target, path), 0);
	free(path);
}

#define EVENT "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"

static int
tree_up(void **state)
{
	struct tree *t = xcalloc(1, sizeof *t);
	char *p;
	int fd;

	strcpy(t->dir, "/tmp/calfetch-XXXXXX");
	strcpy(t->outside, "/tmp/calfetch-out-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	assert_non_null(mkdtemp(t->outside));
	put(t->outside, "secret.ics", "OUTSIDE");
	put(t->dir, "a.ics", EVENT);
	put(t->dir, "B.ICS", "B");
	put(t->dir, ".hidden.ics", "hidden");
	put(t->dir, "notes.txt", "notes");
	put(t->dir, "ics", "no suffix");
	link_in(t->dir, "link.ics", "a.ics");
	p = xasprintf("%s/secret.ics", t->outside);
	link_in(t->dir, "out.ics", p);
	free(p);
	link_in(t->dir, "outdir", t->outside);
	mkdir_in(t->dir, "sub");
	put(t->dir, "sub/c.ics", "C");
	put(t->dir, "sub/.d.ics", "hidden");
	mkdir_in(t->dir, "sub/deeper");
	put(t->dir, "sub/deeper/e.ics", "too deep");
	mkdir_in(t->dir, ".git");
	put(t->dir, ".git/f.ics", "hidden folder");
	mkdir_in(t->dir, "dir.ics");   /* a folder named like a file: its files count */
	put(t->dir, "dir.ics/g.ics", "G");
	p = xasprintf("%s/fifo.ics", t->dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	/* 17 MiB without writing them */
	p = xasprintf("%s/big.ics", t->dir);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 17 * 1024 * 1024), 0);
	close(fd);
	free(p);
	*state = t;
	return 0;
}

static int
tree_down(void **state)
{
	struct tree *t = *state;
	char *cmd = xasprintf("rm -rf '%s' '%s'", t->dir, t->outside);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(t);
	return 0;
}

static void
test_dir_list(void **state)
{
	struct tree *t = *state;
	struct meet_source src = { .name = "t", .kind = MSRC_DIR, .dir = t->dir };
	struct dav_list l = { 0 };
	char *err = NULL, *p, *want;
	struct stat st;

	assert_int_equal(calfetch_dir_list(&src, &l, &err), CALF_OK);
	assert_null(err);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].href, "B.ICS");
	assert_string_equal(l.v[1].href, "a.ics");
	assert_string_equal(l.v[2].href, "big.ics");
	assert_string_equal(l.v[3].href, "dir.ics/g.ics");
	assert_string_equal(l.v[4].href, "sub/c.ics");
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.v[i].status, 200);
		assert_null(l.v[i].data);
	}
	p = xasprintf("%s/a.ics", t->dir);
	/* SIZE-MTIME-INODE: the size and the inode as stat says (its time
	 * is not compared: faketime moves what stat() says, not the file). */
	assert_int_equal(lstat(p, &st), 0);
	want = xasprintf("-%ju", (uintmax_t)st.st_ino);
	assert_true(strncmp(l.v[1].etag, "45-", 3) == 0);
	assert_true(strlen(l.v[1].etag) > strlen(want) &&
	    strcmp(l.v[1].etag + strlen(l.v[1].etag) - strlen(want), want) == 0);
	assert_non_null(strstr(l.v[2].etag, "17825792-"));
	free(want);
	/* the same when nothing changed */
	want = xstrdup(l.v[1].etag);
	dav_list_free(&l);
	assert_int_equal(calfetch_dir_list(&src, &l, &err), CALF_OK);
	assert_string_equal(l.v[1].etag, want);
	free(want);
	dav_list_free(&l);

	/* A change shows in the ETag. */
	{
		struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000000, 123 } };
		char *before;

		assert_int_equal(calfetch_dir_list(&src, &l, &err), CALF_OK);
		before = xstrdup(l.v[1].etag);
		dav_list_free(&l);
		assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
		assert_int_equal(calfetch_dir_list(&src, &l, &err), CALF_OK);
		assert_string_not_equal(l.v[1].etag, before);
		assert_non_null(strstr(l.v[1].etag, "-1000000000000000123-"));
		free(before);
		dav_list_free(&l);
	}
	free(p);

	/* The directory may itself be reached through a link. */
	p = xasprintf("%s/outdir", t->dir);
	src.dir = p;
	assert_int_equal(calfetch_dir_list(&src, &l, &err), CALF_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].href, "secret.ics");
	dav_list_free(&l);
	free(p);

	src.dir = "/nonexistent/calfetch";
	assert_int_equal(calfetch_dir_list(&src, &l, &err), CALF_FINAL);
	assert_string_equal(err, "/nonexistent/calfetch: No such file or directory");
	assert_null(l.v);
	free(err);
	p = xasprintf("%s/a.ics", t->dir);
	src.dir = p;
	assert_int_equal(calfetch_dir_list(&src, &l, &err), CALF_FINAL);
	assert_non_null(strstr(err, "Not a directory"));
	free(err);
	free(p);
}

static enum calfetch_rc
read_one(const struct tree *t, const char *href, char **data, size_t *len, char **err)
{
	struct meet_source src = { .name = "t", .kind = MSRC_DIR, .dir = (char *)t->dir };

	*err = NULL;
	return calfetch_dir_read(&src, href, data, len, err);
}

static void
refused(const struct tree *t, const char *href, enum calfetch_rc want, const char *why)
{
	char *data = (char *)1, *err;
	size_t len = 7;

	assert_int_equal(read_one(t, href, &data, &len, &err), want);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_non_null(err);
	if (strstr(err, why) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", href, err, why);
	assert_null(strstr(err, "OUTSIDE"));
	free(err);
}

static void
test_dir_read(void **state)
{
	struct tree *t = *state;
	char *data, *err, *want;
	size_t len;

	assert_int_equal(read_one(t, "a.ics", &data, &len, &err), CALF_OK);
	assert_string_equal(data, EVENT);
	assert_int_equal(len, strlen(EVENT));
	free(data);
	assert_int_equal(read_one(t, "sub/c.ics", &data, &len, &err), CALF_OK);
	assert_string_equal(data, "C");
	free(data);

	/* 17 MiB: named, final, and nothing read */
	want = xasprintf("%s/big.ics: the file is larger than 16 MiB", t->dir);
	assert_int_equal(read_one(t, "big.ics", &data, &len, &err), CALF_FINAL);
	assert_string_equal(err, want);
	assert_null(data);
	free(want);
	free(err);

	refused(t, "link.ics", CALF_FINAL, "symbolic link");
	refused(t, "out.ics", CALF_FINAL, "symbolic link");
	refused(t, "outdir/secret.ics", CALF_FINAL, "outdir");
	refused(t, "fifo.ics", CALF_FINAL, "not a regular file");
	refused(t, "missing.ics", CALF_TEMP, "missing.ics: No such file");
	/* shapes calfetch_dir_list never makes */
	refused(t, "../calfetch-out/secret.ics", CALF_FINAL, "not an .ics file");
	refused(t, "/etc/passwd.ics", CALF_FINAL, "not an .ics file");
	refused(t, "sub/../a.ics", CALF_FINAL, "not an .ics file");
	refused(t, "sub/deeper/e.ics", CALF_FINAL, "not an .ics file");
	refused(t, ".hidden.ics", CALF_FINAL, "not an .ics file");
	refused(t, "sub/.d.ics", CALF_FINAL, "not an .ics file");
	refused(t, "notes.txt", CALF_FINAL, "not an .ics file");
	refused(t, "/sub.ics", CALF_FINAL, "not an .ics file");
	refused(t, "", CALF_FINAL, "not an .ics file");
	refused(t, "sub/", CALF_FINAL, "not an .ics file");
	refused(t, "dir.ics", CALF_FINAL, "not a regular file");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_protocols),
		cmocka_unit_test_setup_teardown(test_dir_list, tree_up, tree_down),
		cmocka_unit_test_setup_teardown(test_dir_read, tree_up, tree_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
