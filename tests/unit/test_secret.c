/* Password sources: command, file (with $CREDENTIALS_DIRECTORY), inline;
 * failures say what failed without the secret. A command gets nothing of
 * the caller's (descriptors, blocked or ignored signals), and one that
 * hangs or prints without end is killed, with its children. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "secret.h"

static void
test_expand(void **unused)
{
	char *err = NULL, *p;

	p = secret_expand_path("$CREDENTIALS_DIRECTORY/imap", "/run/cred/x", &err);
	assert_string_equal(p, "/run/cred/x/imap");
	free(p);
	p = secret_expand_path("${CREDENTIALS_DIRECTORY}/smtp", "/run/c", &err);
	assert_string_equal(p, "/run/c/smtp");
	free(p);
	p = secret_expand_path("imap", "/run/c", &err);
	assert_string_equal(p, "/run/c/imap");
	free(p);
	p = secret_expand_path("/etc/followupd/pw", NULL, &err);
	assert_string_equal(p, "/etc/followupd/pw");
	free(p);
	assert_null(secret_expand_path("$CREDENTIALS_DIRECTORY/imap", NULL, &err));
	assert_string_equal(err, "password_file '$CREDENTIALS_DIRECTORY/imap' uses $CREDENTIALS_DIRECTORY, which is not set");
	free(err);
}

static void
test_sources(void **unused)
{
	struct server sv = {0};
	char *out = NULL, *err = NULL;
	char path[] = "/tmp/fu-secret-XXXXXX";
	int fd;

	sv.password_command = (char *)"printf 's3cret\\nsecond line\\n'";
	assert_int_equal(secret_fetch(&sv, &out, &err), 0);
	assert_string_equal(out, "s3cret");
	secret_free(out);

	sv.password_command = (char *)"echo s3cret; exit 3";
	assert_int_equal(secret_fetch(&sv, &out, &err), -1);
	assert_string_equal(err, "password_command failed with exit status 3");
	free(err);

	sv.password_command = (char *)"true";
	assert_int_equal(secret_fetch(&sv, &out, &err), -1);
	assert_string_equal(err, "password_command printed nothing");
	free(err);

	sv.password_command = NULL;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "filepw\r\n", 8), 8);
	close(fd);
	sv.password_file = path;
	assert_int_equal(secret_fetch(&sv, &out, &err), 0);
	assert_string_equal(out, "filepw");
	secret_free(out);
	unlink(path);
	assert_int_equal(secret_fetch(&sv, &out, &err), -1);
	assert_non_null(strstr(err, "No such file"));
	free(err);

	sv.password_file = NULL;
	sv.password = (char *)"inline";
	assert_int_equal(secret_fetch(&sv, &out, &err), 0);
	assert_string_equal(out, "inline");
	secret_free(out);

	sv.auth = AUTH_OAUTH2;
	sv.token_command = (char *)"echo ya29.token";
	assert_int_equal(secret_fetch(&sv, &out, &err), 0);
	assert_string_equal(out, "ya29.token");
	secret_free(out);
}

/* The daemon's state when it runs a command: other descriptors open
 * without close-on-exec (a socket, a pipe), SIGINT, SIGTERM and SIGHUP
 * blocked for its signalfd, SIGPIPE ignored. */
static void
test_child_inherits_nothing(void **unused)
{
	char *out = NULL, *err = NULL;
	sigset_t block, old;
	struct sigaction ign = { .sa_handler = SIG_IGN }, oldpipe;
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(dup2(p[0], 57), 57);
	assert_int_equal(dup2(p[1], 58), 58);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGPIPE, &ign, &oldpipe);

	/* ls's own directory descriptor is the one after 0, 1 and 2. Without
	 * the clock sweep's libfaketime, which opens its shared memory in
	 * every program it is preloaded into (not inherited, but listed). */
	assert_int_equal(secret_run("password_command",
	    "env -u LD_PRELOAD ls /proc/self/fd | tr '\\n' ' '", 10000, &out, &err), 0);
	assert_string_equal(out, "0 1 2 3 ");
	secret_free(out);
	assert_int_equal(secret_run("password_command",
	    "awk '/^Sig(Blk|Ign):/ { printf \"%s %s \", $1, $2 }' /proc/self/status",
	    10000, &out, &err), 0);
	/* Signals 32 and 33 are glibc's own, which it does not let a program
	 * change: GNU make, for one, starts its commands with them ignored. */
	assert_int_equal(strncmp(out, "SigBlk: 0000000000000000 SigIgn: ", 33), 0);
	assert_int_equal(strtoull(out + 33, NULL, 16) & 0x7fffffffULL, 0);
	secret_free(out);

	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGPIPE, &oldpipe, NULL);
	close(57);
	close(58);
	close(p[0]);
	close(p[1]);
}

/* Is the process gone (or a zombie waiting for its parent)? Waits up to
 * 5 s for it. */
static bool
dead(long pid)
{
	for (int i = 0; i < 500; i++) {
		char path[64], stat[256] = "";
		FILE *f;

		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			return true;
		if (fgets(stat, sizeof stat, f) == NULL)
			stat[0] = '\0';
		fclose(f);
		if (strstr(stat, ") Z ") != NULL)
			return true;
		usleep(10000);
	}
	return false;
}

static void
test_deadline(void **unused)
{
	struct server sv = {0};
	char *out = NULL, *err = NULL;
	char path[] = "/tmp/fu-secret-XXXXXX";
	struct timespec t0, t1;
	long child = 0;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* A command that never ends, with a child of its own holding the
	 * pipe: both are killed at the deadline, a temporary failure. */
	char *cmd = xasprintf("sleep 300 & echo $! >%s; wait", path);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(secret_run("password_command", cmd, 1000, &out, &err), SECRET_TEMP);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_string_equal(err, "password_command did not finish within 1 s and was killed; "
	    "will try again later");
	free(err);
	assert_true(t1.tv_sec - t0.tv_sec < 10);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &child), 1);
	fclose(f);
	assert_true(dead(child));
	unlink(path);
	free(cmd);

	/* Output without end: stopped at SECRET_MAX_OUTPUT, final. */
	assert_int_equal(secret_run("token_command", "yes", 10000, &out, &err), SECRET_FINAL);
	assert_string_equal(err, "token_command printed more than 65536 bytes");
	free(err);

	/* Through secret_fetch: a failing command is final. */
	sv.password_command = (char *)"exit 1";
	assert_int_equal(secret_fetch(&sv, &out, &err), SECRET_FINAL);
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_child_inherits_nothing),
		cmocka_unit_test(test_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
